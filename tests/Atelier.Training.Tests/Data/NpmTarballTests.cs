using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

public sealed class NpmTarballTests : IDisposable
{
    private readonly SyntheticPackages _packages = new();

    public void Dispose() => _packages.Dispose();

    [Fact]
    public void Extract_WritesOnlySelectedFilesWithoutTheTopFolder()
    {
        string tgz = Path.Combine(_packages.Root, "ok.tgz");
        SyntheticPackages.WriteTarball(tgz, [("package/a/keep.png", [1]), ("package/a/skip.txt", [2]), ("package/emoji.json", [3])]);
        string destination = Path.Combine(_packages.Root, "x");

        IReadOnlyList<string> written = NpmTarball.Extract(tgz, destination, p => p.EndsWith(".png", StringComparison.Ordinal));

        Assert.Equal(["a/keep.png"], written);
        Assert.True(File.Exists(Path.Combine(destination, "a", "keep.png")));
        Assert.False(File.Exists(Path.Combine(destination, "a", "skip.txt")));
        Assert.Equal([3], NpmTarball.Read(tgz, p => p == "emoji.json")["emoji.json"]);
    }

    [Theory]
    [InlineData("package/../../escaped.txt", "'..'")]
    [InlineData("/etc/escaped.txt", "absolute")]
    [InlineData("package\\..\\escaped.txt", "backslash")]
    public void Extract_RefusesPathTraversalAndWritesNothingOutside(string entryName, string expected)
    {
        string tgz = Path.Combine(_packages.Root, "evil.tgz");
        SyntheticPackages.WriteTarball(tgz, [(entryName, Encoding.UTF8.GetBytes("owned"))]);
        string destination = Path.Combine(_packages.Root, "deep", "x");

        var e = Assert.Throws<InvalidDataException>(() => NpmTarball.Extract(tgz, destination, _ => true));

        Assert.Contains(tgz, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.False(File.Exists(Path.Combine(_packages.Root, "escaped.txt")));
        Assert.False(File.Exists(Path.Combine(_packages.Root, "deep", "escaped.txt")));
    }

    [Fact]
    public void Extract_RefusesSymbolicLinks()
    {
        string tgz = Path.Combine(_packages.Root, "link.tgz");
        using (var file = File.Create(tgz))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "package/img/a.png") { LinkName = "/etc/passwd" });

        var e = Assert.Throws<InvalidDataException>(() => NpmTarball.Extract(tgz, Path.Combine(_packages.Root, "x"), _ => true));

        Assert.Contains("SymbolicLink", e.Message);
        Assert.Contains("/etc/passwd", e.Message);
    }

    [Fact]
    public void Read_NotAGzip_NamesTheFile()
    {
        string bogus = Path.Combine(_packages.Root, "bogus.tgz");
        File.WriteAllText(bogus, "this is not a tarball");

        var e = Assert.Throws<InvalidDataException>(() => NpmTarball.Read(bogus, _ => true));

        Assert.Contains(bogus, e.Message);
    }
}
