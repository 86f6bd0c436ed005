using System.Text;
using System.Text.Json;
using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

/// <summary>The Fluent sources' package handling (enumeration only: rendering needs dwebp/rsvg-convert).</summary>
public sealed class FluentSourcesTests : IDisposable
{
    private readonly SyntheticPackages _packages = new();

    public void Dispose() => _packages.Dispose();

    private (PinnedPackage Flat, EmojiLexicon Lexicon) FlatPackage()
    {
        var icons = new
        {
            prefix = "fluent-emoji-flat",
            width = 32,
            height = 32,
            icons = new Dictionary<string, object>
            {
                ["pizza"] = new { body = "<circle cx=\"16\" cy=\"16\" r=\"8\"/>" },
                ["hand-left"] = new { body = "<path d=\"M0 0h8v8z\"/>", width = 30 },
                ["wrestling-dark"] = new { body = "<g/>", hidden = true },
            },
            aliases = new Dictionary<string, object> { ["hand-right"] = new { parent = "hand-left", hFlip = true } },
        };
        var chars = new Dictionary<string, string> { ["1f355"] = "pizza", ["1f449"] = "hand-right" };
        PinnedPackage flat = _packages.Pack("fake-fluent-flat", "1.0.0", new Dictionary<string, byte[]>
        {
            ["icons.json"] = JsonSerializer.SerializeToUtf8Bytes(icons),
            ["chars.json"] = JsonSerializer.SerializeToUtf8Bytes(chars),
        });
        byte[] lexicon = JsonSerializer.SerializeToUtf8Bytes(new object[]
        {
            new { hexcode = "1F355", label = "pizza", tags = new[] { "cheese" } },
            new { hexcode = "1F449", label = "backhand index pointing right", tags = new[] { "finger" } },
            new { hexcode = "1F1E9-1F1EA", label = "flag: Germany", tags = new[] { "DE" } },
        });
        return (flat, EmojiLexicon.Parse(lexicon, "data.json"));
    }

    [Fact]
    public void Fluent3d_KeepsOnlyMicrosoftsReleaseAndMarksTheRestNoAssertion()
    {
        (PinnedPackage flat, EmojiLexicon lexicon) = FlatPackage();
        PinnedPackage threeD = _packages.Pack("fake-fluent-3d", "1.0.0", new Dictionary<string, byte[]>
        {
            ["assets/1f355.webp"] = [1],
            ["assets/1f1e9-1f1ea.webp"] = [2],   // a national flag: not in Microsoft's release
        });
        var source = new LobehubFluent3dSource("fluent-3d", "fluent 3d", threeD, flat, "MIT", "fluent-emoji", "Microsoft Corporation");
        var tarballs = new Dictionary<PinnedPackage, string>
        {
            [threeD] = Path.Combine(_packages.Cache, threeD.TarballFileName),
            [flat] = Path.Combine(_packages.Cache, flat.TarballFileName),
        };

        IReadOnlyList<SourceItem> items = source.Enumerate(tarballs, lexicon, Path.Combine(_packages.Root, "staging"), _ => { });

        Assert.Equal("MIT", items.Single(i => i.Key == "1F355").Licence);
        SourceItem flag = items.Single(i => i.Key == "1F1E9-1F1EA");
        Assert.Equal(LobehubFluent3dSource.UnreleasedLicence, flag.Licence);
        Assert.Contains("not in Microsoft's fluentui-emoji release", LicenceAllowList.RefusalReason(flag.Licence, flag.LicenceNote));
    }

    [Fact]
    public void FluentFlat_OffersEveryCodepointAndReportsHiddenIcons()
    {
        (PinnedPackage flat, EmojiLexicon lexicon) = FlatPackage();
        var source = new IconifySvgSource("fluent-flat", "fluent flat", flat, "MIT", "fluent-emoji", "Microsoft Corporation");
        var skipped = new List<SkippedItem>();

        IReadOnlyList<SourceItem> items = source.Enumerate(
            new Dictionary<PinnedPackage, string> { [flat] = Path.Combine(_packages.Cache, flat.TarballFileName) }, lexicon, _packages.Root, skipped.Add);

        Assert.Equal(["1F355", "1F449"], items.Select(i => i.Key));
        Assert.Equal("icons.json#hand-right", items[1].PackagePath);
        SkippedItem hidden = Assert.Single(skipped);
        Assert.Equal("icons.json#wrestling-dark", hidden.PackagePath);
    }

    [Fact]
    public void IconifySvg_AliasWithHorizontalFlipMirrorsItsParent()
    {
        (PinnedPackage flat, _) = FlatPackage();
        IconifyIconSet set = IconifyIconSet.Load(Path.Combine(_packages.Cache, flat.TarballFileName), flat.Spec);

        string svg = set.ToSvg("hand-right");

        Assert.Contains("viewBox=\"0 0 30 32\"", svg);
        Assert.Contains("<g transform=\"translate(30 0) scale(-1 1)\"><path d=\"M0 0h8v8z\"/></g>", svg);
        Assert.Contains("viewBox=\"0 0 32 32\"", set.ToSvg("pizza"));
        Assert.Throws<KeyNotFoundException>(() => set.ToSvg("missing"));
    }

    [Theory]
    [InlineData("1F1E9-1F1EA", "LicenseRef-PublicDomain")]                      // flag: Germany (region-flags)
    [InlineData("1F3F4-E0067-E0062-E0065-E006E-E0067-E007F", "LicenseRef-PublicDomain")]  // flag: England
    [InlineData("1F3C1", "Apache-2.0")]                                          // chequered flag, drawn by Noto
    [InlineData("1F355", "Apache-2.0")]
    public void Noto_FlagsFromRegionFlagsArePublicDomain(string codepoints, string licence) =>
        Assert.Equal(licence, CoreSources.NotoLicence(codepoints).Licence);
}
