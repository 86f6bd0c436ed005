using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

public class CodepointsTests
{
    [Theory]
    [InlineData("1f3c3-1f3fd-200d-2640-fe0f", "1F3C3-1F3FD-200D-2640")]
    [InlineData("23-fe0f-20e3", "0023-20E3")]
    [InlineData("0023-FE0F-20E3", "0023-20E3")]
    [InlineData("1F44B_1F3FB", "1F44B-1F3FB")]
    public void Normalize_GivesOneSpellingForEverySourceConvention(string raw, string expected) =>
        Assert.Equal(expected, Codepoints.Normalize(raw));

    [Fact]
    public void Concept_DropsSkinTonesAndPresentationSelector()
    {
        Assert.Equal("1F44B", Codepoints.Concept("1F44B-1F3FF"));
        Assert.Equal("1F9D1-200D-1F91D-200D-1F9D1", Codepoints.Concept("1F9D1-1F3FB-200D-1F91D-200D-1F9D1-1F3FC"));
        Assert.Equal("2764", Codepoints.Concept("2764-FE0F"));
        Assert.Equal("1F3FD", Codepoints.Concept("1F3FD"));  // the swatch "medium skin tone" is an emoji itself
    }

    [Fact]
    public void DistinctSkinTones_SeparatesSameToneFromMultiTone()
    {
        Assert.Equal(0, Codepoints.DistinctSkinTones("1F44B"));
        Assert.Equal(1, Codepoints.DistinctSkinTones("1F9D1-1F3FB-200D-1F91D-200D-1F9D1-1F3FB"));
        Assert.Equal(2, Codepoints.DistinctSkinTones("1F9D1-1F3FB-200D-1F91D-200D-1F9D1-1F3FC"));
    }

    [Theory]
    [InlineData("pizza")]
    [InlineData("1F44B--1F3FB")]
    [InlineData("110000")]
    public void Normalize_RejectsNonCodepointsNamingThePart(string raw)
    {
        var e = Assert.Throws<FormatException>(() => Codepoints.Normalize(raw));
        Assert.Contains(raw, e.Message);
    }
}
