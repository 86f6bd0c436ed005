using System.Text;
using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

public class ManifestTests
{
    private static ManifestRow Row(string id, string split = "train", string consent = "licensed") =>
        new(id, split, "noto", "emoji-datasource-google", "16.0.0", "img/google/64/x.png", $"images/{id}.png",
            "Apache-2.0", "noto-emoji", "1F355", "pizza, noto style, cheese", ["cheese", "slice"], new string('0', 64), consent);

    private static string Text(params ManifestRow[] rows) => Encoding.UTF8.GetString(Manifest.Serialize(rows));

    [Fact]
    public void Serialize_SortsRowsSoInputOrderDoesNotMatter() =>
        Assert.Equal(Manifest.Serialize([Row("noto/B"), Row("noto/A"), Row("fluent-3d/C")]),
            Manifest.Serialize([Row("fluent-3d/C"), Row("noto/A"), Row("noto/B")]));

    [Fact]
    public void SerializeThenParse_RoundTrips()
    {
        ManifestRow[] rows = [Row("noto/A"), Row("noto/B", "heldout", "opted-out")];

        IReadOnlyList<ManifestRow> back = Manifest.Parse(Text(rows), "manifest.tsv");

        Assert.Equal(rows.Select(r => r.ToFields()), back.Select(r => r.ToFields()));
        Assert.False(back[1].IsTrainable);
    }

    [Fact]
    public void Serialize_FieldWithTab_IsRefused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Manifest.Serialize([Row("noto/A") with { Caption = "a\tb" }]));

        Assert.Contains("caption", e.Message);
    }

    [Fact]
    public void Parse_WrongColumnCount_NamesTheLine()
    {
        string text = Text(Row("noto/A"), Row("noto/B")).Replace("\tlicensed\n", "\n");

        var e = Assert.Throws<ManifestFormatException>(() => Manifest.Parse(text, "manifest.tsv"));

        Assert.Equal(2, e.Line);
        Assert.Contains("manifest.tsv: line 2", e.Message);
        Assert.Contains("13 tab-separated columns, expected 14", e.Message);
    }

    [Fact]
    public void Parse_LicenceNotOnTheAllowList_NamesLineAndColumn()
    {
        string text = Text(Row("noto/A"), Row("noto/B"));
        text = text.Remove(text.LastIndexOf("Apache-2.0", StringComparison.Ordinal), "Apache-2.0".Length)
            .Insert(text.LastIndexOf("Apache-2.0", StringComparison.Ordinal), "CC-BY-SA-4.0");

        var e = Assert.Throws<ManifestFormatException>(() => Manifest.Parse(text, "manifest.tsv"));

        Assert.Equal((3, 8, "licence"), (e.Line, e.Column, e.ColumnName));
        Assert.Contains("CC-BY-SA-4.0", e.Message);
    }

    [Fact]
    public void Parse_BadHash_NamesLineAndColumn()
    {
        string text = Text(Row("noto/A")).Replace(new string('0', 64), "XYZ");

        var e = Assert.Throws<ManifestFormatException>(() => Manifest.Parse(text, "manifest.tsv"));

        Assert.Equal((2, 13, "sha256"), (e.Line, e.Column, e.ColumnName));
        Assert.Contains("line 2, column 13 (sha256)", e.Message);
    }

    [Theory]
    [InlineData("\ttrain\t", "\tvalidation\t", 2, "split")]
    [InlineData("\tlicensed\n", "\tmaybe\n", 14, "consent")]
    [InlineData("\timages/", "\t/abs/images/", 7, "output_path")]
    public void Parse_OtherBadFields_NameTheirColumn(string from, string to, int column, string name)
    {
        string text = Text(Row("noto/A")).Replace(from, to);

        var e = Assert.Throws<ManifestFormatException>(() => Manifest.Parse(text, "manifest.tsv"));

        Assert.Equal((2, column, name), (e.Line, e.Column, e.ColumnName));
    }

    [Fact]
    public void Parse_WrongHeader_NamesTheColumn()
    {
        string text = Text(Row("noto/A")).Replace("licence", "license");

        var e = Assert.Throws<ManifestFormatException>(() => Manifest.Parse(text, "manifest.tsv"));

        Assert.Equal((1, 8), (e.Line, e.Column));
    }
}
