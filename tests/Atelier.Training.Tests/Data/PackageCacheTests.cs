using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

public sealed class PackageCacheTests : IDisposable
{
    private readonly SyntheticPackages _packages = new();

    public void Dispose() => _packages.Dispose();

    [Fact]
    public void Fetch_CachedTarballMatchingThePin_IsReturnedWithoutDownloading()
    {
        PinnedPackage pinned = _packages.Pack("some-art", "2.0.0", new Dictionary<string, byte[]> { ["a.txt"] = [1, 2, 3] });

        string path = new PackageCache(_packages.Cache).Fetch(pinned);

        Assert.Equal(Path.Combine(_packages.Cache, "some-art-2.0.0.tgz"), path);
    }

    [Fact]
    public void Fetch_TarballChangedUpstream_IsDetected()
    {
        PinnedPackage pinned = _packages.Pack("some-art", "2.0.0", new Dictionary<string, byte[]> { ["a.txt"] = [1, 2, 3] });
        // Same name and version, different content: what a republished or tampered package looks like.
        PinnedPackage changed = _packages.Pack("some-art", "2.0.0", new Dictionary<string, byte[]> { ["a.txt"] = [9, 9, 9] });

        var e = Assert.Throws<PackageIntegrityException>(() => new PackageCache(_packages.Cache).Fetch(pinned));

        Assert.Equal(changed.Integrity, e.Actual);
        Assert.Contains(pinned.Integrity, e.Message);
        Assert.Contains("some-art@2.0.0", e.Message);
    }

    [Fact]
    public void ScopedPackage_TarballNameFollowsNpmPack()
    {
        Assert.Equal("lobehub-fluent-emoji-3d-1.1.0.tgz", PinnedPackage.LobehubFluentEmoji3d.TarballFileName);
        Assert.Equal("iconify-json-fluent-emoji-flat-1.2.6.tgz", PinnedPackage.IconifyFluentEmojiFlat.TarballFileName);
    }

    [Fact]
    public void CorePins_AreSha512Integrity() =>
        Assert.All(new[] { PinnedPackage.EmojiDatasourceTwitter, PinnedPackage.EmojiDatasourceGoogle, PinnedPackage.LobehubFluentEmoji3d,
                PinnedPackage.IconifyFluentEmojiFlat, PinnedPackage.EmojibaseData },
            p => Assert.Equal(64, Convert.FromBase64String(p.Integrity["sha512-".Length..]).Length));
}
