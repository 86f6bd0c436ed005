using Atelier.Formats.Images;

namespace Atelier.Formats.Tests.Images;

public class PngTextChunkTests
{
    [Theory]
    [InlineData("Title")]
    [InlineData("parameters")]
    [InlineData("Raw profile type exif")]
    [InlineData("Caf\u00e9 \u00bd")]
    [InlineData("x")]
    public void Valid_keywords_are_accepted(string keyword)
    {
        Assert.True(PngKeyword.IsValid(keyword));
        Assert.Equal(keyword, PngTextChunk.Latin1(keyword, "t").Keyword);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(" Title", "leading or trailing space")]
    [InlineData("Title ", "leading or trailing space")]
    [InlineData("A  B", "two consecutive spaces")]
    [InlineData("Tab\tKey", "U+0009")]
    [InlineData("Nbsp\u00a0", "U+00A0")]
    [InlineData("\u65e5\u672c", "U+65E5")]
    [InlineData("Del\u007f", "U+007F")]
    public void Invalid_keywords_are_refused_with_the_reason(string keyword, string reason)
    {
        Assert.Contains(reason, PngKeyword.Problem(keyword));
        Assert.Contains(reason, Assert.Throws<ArgumentException>(() => PngTextChunk.Latin1(keyword, "t")).Message);
        Assert.Throws<ArgumentException>(() => PngTextChunk.International(keyword, "t"));
    }

    [Fact]
    public void Keyword_length_is_1_to_79()
    {
        Assert.True(PngKeyword.IsValid(new string('k', 79)));
        Assert.Contains("80 characters", PngKeyword.Problem(new string('k', 80)));
    }

    [Fact]
    public void Latin1_text_refuses_other_characters_and_nul()
    {
        Assert.Contains("use iTXt", Assert.Throws<ArgumentException>(() => PngTextChunk.Latin1("Key", "\u2713")).Message);
        Assert.Throws<ArgumentException>(() => PngTextChunk.Latin1("Key", "a\0b"));
        Assert.Throws<ArgumentException>(() => PngTextChunk.International("Key", "a\0b"));
        Assert.Throws<ArgumentException>(() => PngTextChunk.International("Key", "lone \ud800 surrogate"));
        Assert.Throws<ArgumentException>(() => PngTextChunk.International("Key", "t", languageTag: "en_US"));
        Assert.Equal("\u00ff\n\u00e9", PngTextChunk.Latin1("Key", "\u00ff\n\u00e9").Text);
    }

    [Fact]
    public void Kinds_map_to_chunk_types()
    {
        Assert.Equal("tEXt", PngTextChunk.Latin1("K", "t").ChunkType);
        Assert.Equal("zTXt", PngTextChunk.Latin1("K", "t", compress: true).ChunkType);
        Assert.Equal("iTXt", PngTextChunk.International("K", "t").ChunkType);
        Assert.True(PngTextChunk.Latin1("K", "t", compress: true).Compressed);
        Assert.False(PngTextChunk.International("K", "t").Compressed);
    }
}
