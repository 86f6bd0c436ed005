using System.Diagnostics;
using System.Text;
using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

public class OpenClipartTests
{
    private const string Svg = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.0//EN" "http://www.w3.org/TR/2001/REC-SVG-20010904/DTD/svg10.dtd" [
          <!ENTITY ns_svg "http://www.w3.org/2000/svg">
        ]>
        <svg xmlns="&ns_svg;" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:cc="http://web.resource.org/cc/">
          <metadata><rdf:RDF><cc:Work rdf:about="">
            <dc:title>Clipart by Nicu Buculei - bee</dc:title>
            <dc:subject><rdf:Bag><rdf:li>insect, animal</rdf:li><rdf:li>hash(0x8a09558)</rdf:li><rdf:li>nicu</rdf:li><rdf:li>clipart</rdf:li><rdf:li>bee</rdf:li></rdf:Bag></dc:subject>
            <dc:creator><cc:Agent><dc:title>Nicu Buculei</dc:title></cc:Agent></dc:creator>
            <cc:license rdf:resource="http://web.resource.org/cc/PublicDomain"/>
          </cc:Work></rdf:RDF></metadata>
          <rect width="10" height="10"/>
        </svg>
        """;

    [Fact]
    public void Metadata_ReadsTitleKeywordsCreatorAndLicenceThroughInternalEntities()
    {
        ClipArtMetadata meta = ClipArtMetadata.Parse(Encoding.UTF8.GetBytes(Svg), "bee.svg");

        Assert.Equal("Clipart by Nicu Buculei - bee", meta.Title);
        Assert.Equal("Nicu Buculei", meta.Creator);
        Assert.Equal("http://web.resource.org/cc/PublicDomain", meta.LicenceUri);
        Assert.Contains("insect", meta.Keywords);
    }

    [Fact]
    public void Metadata_NeverFetchesExternalEntities()
    {
        string hostile = """
            <?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <svg xmlns:cc="http://web.resource.org/cc/" xmlns:dc="http://purl.org/dc/elements/1.1/"><cc:Work><dc:title>a&x;b</dc:title></cc:Work></svg>
            """;

        ClipArtMetadata meta = ClipArtMetadata.Parse(Encoding.UTF8.GetBytes(hostile), "hostile.svg");

        Assert.Equal("ab", meta.Title);  // the external entity expands to nothing: /etc/passwd is never read
    }

    [Fact]
    public void Label_TakesTheSubjectOfAByline()
    {
        ClipArtMetadata meta = ClipArtMetadata.Parse(Encoding.UTF8.GetBytes(Svg), "bee.svg");

        Assert.Equal("bee", OpenClipartSource.Label(meta, "animals/bugs/clipart_by_nicu_buculei_-_bee_01"));
    }

    [Fact]
    public void Label_GenericTitleFallsBackToFileNameWithoutAuthorFragments()
    {
        var meta = new ClipArtMetadata("Various Cliparts", [], "Francesco Rollandin", "");

        Assert.Equal("armadillo", OpenClipartSource.Label(meta, "animals/armadillo_francesco_rolla_01"));
    }

    [Theory]
    [InlineData("http://web.resource.org/cc/PublicDomain", "LicenseRef-PublicDomain")]
    [InlineData("http://creativecommons.org/licenses/publicdomain/", "LicenseRef-PublicDomain")]
    [InlineData("http://creativecommons.org/licenses/GPL/2.0/", "GPL-2.0-or-later")]
    [InlineData("", "NOASSERTION")]
    public void Licence_OnlyPublicDomainStatementsAreAllowed(string uri, string spdx)
    {
        (string licence, _) = OpenClipartSource.Licence(uri);

        Assert.Equal(spdx, licence);
        Assert.Equal(spdx == "LicenseRef-PublicDomain", LicenceAllowList.IsAllowed(licence));
    }

    [Fact]
    public void Framing_CropsToTheDrawingAndPadsToASquareWithAMargin()
    {
        // A 40x20 red bar in the corner of a 256 page, the rest transparent.
        var page = new byte[256 * 256 * 4];
        for (int y = 10; y < 30; y++)
        {
            for (int x = 200; x < 240; x++)
            {
                int p = (y * 256 + x) * 4;
                page[p] = 255;
                page[p + 3] = 255;
            }
        }

        RgbaImage framed = ClipArtFraming.Frame(new RgbaImage(256, 256, page), 64)!;

        (int left, int top, int right, int bottom) = ClipArtFraming.VisibleBounds(framed)!.Value;
        // Width 40 of a ceil(40 / 0.88) = 46 square → 64 * 40 / 46 ≈ 55.7 px wide, centred; height about half.
        Assert.InRange(right - left, 55, 57);
        Assert.InRange(bottom - top, 27, 30);
        Assert.InRange(left, 3, 5);
        Assert.Equal(255, framed.Pixels[(32 * 64 + 32) * 4]);
        Assert.Null(ClipArtFraming.Frame(new RgbaImage(8, 8, new byte[8 * 8 * 4]), 64));
    }

    [Fact]
    public void Downscale_OfAConstantImageIsThatConstant()
    {
        byte[] pixels = Enumerable.Repeat(new byte[] { 10, 200, 30, 128 }, 100 * 100).SelectMany(p => p).ToArray();

        RgbaImage small = ClipArtFraming.Downscale(new RgbaImage(100, 100, pixels), 64);

        Assert.All(Enumerable.Range(0, 64 * 64), i => Assert.Equal(new byte[] { 10, 200, 30, 128 }, small.Pixels[(i * 4)..(i * 4 + 4)]));
    }

    [SkippableFact]
    public void DebianArchive_ReadsFilesAndSkipsSymlinks()
    {
        Skip.IfNot(File.Exists("/usr/bin/dpkg-deb"), "dpkg-deb (Debian) is needed to build the test package.");
        string root = Path.Combine(Path.GetTempPath(), "atelier-deb-" + Guid.NewGuid().ToString("N"));
        try
        {
            string tree = Path.Combine(root, "tree");
            Directory.CreateDirectory(Path.Combine(tree, "DEBIAN"));
            Directory.CreateDirectory(Path.Combine(tree, "usr", "share", "art"));
            File.WriteAllText(Path.Combine(tree, "DEBIAN", "control"),
                "Package: atelier-test-art\nVersion: 1.0\nArchitecture: all\nMaintainer: Test <test@example.invalid>\nDescription: test\n");
            File.WriteAllText(Path.Combine(tree, "usr", "share", "art", "a.svg"), "<svg/>");
            File.CreateSymbolicLink(Path.Combine(tree, "usr", "share", "art", "b.svg"), "a.svg");
            string deb = Path.Combine(root, "test.deb");
            var build = Process.Start(new ProcessStartInfo("dpkg-deb", ["--build", "--root-owner-group", tree, deb]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            build.WaitForExit();
            Assert.Equal(0, build.ExitCode);

            IReadOnlyDictionary<string, byte[]> files = DebianArchive.Read(deb, p => p.EndsWith(".svg", StringComparison.Ordinal));

            Assert.Equal(["usr/share/art/a.svg"], files.Keys);
            Assert.Equal("<svg/>", Encoding.UTF8.GetString(files["usr/share/art/a.svg"]));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
