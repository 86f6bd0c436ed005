using Atelier.Formats.Tokenizers;

namespace Atelier.Formats.Tests.Tokenizers;

public class ClipPreTokenizerTests
{
    private static string[] Pieces(string text) => ClipPreTokenizer.Split(text).Select(p => text.Substring(p.Start, p.Length)).ToArray();

    [Theory]
    [InlineData("a photo of a cat", new[] { "a", "photo", "of", "a", "cat" })]
    [InlineData("2024-01-01", new[] { "2", "0", "2", "4", "-", "0", "1", "-", "0", "1" })]          // one piece per digit
    [InlineData("don't it's we'd y'all i'm they've you're we'll", new[] { "don", "'t", "it", "'s", "we", "'d", "y", "'", "all", "i", "'m", "they", "'ve", "you", "'re", "we", "'ll" })]
    [InlineData("'sun ''s !'s", new[] { "'s", "un", "''", "s", "!'", "s" })]                   // a punctuation run takes the quote
    [InlineData("<|startoftext|>hi<|endoftext|>", new[] { "<|startoftext|>", "hi", "<|endoftext|>" })]
    [InlineData("!<|endoftext|>", new[] { "!<|", "endoftext", "|>" })]                            // literals only start a match
    [InlineData("hello, world!!! (x)", new[] { "hello", ",", "world", "!!!", "(", "x", ")" })]
    [InlineData("café naïve", new[] { "café", "naïve" })]
    public void SplitsLikeTheReferencePattern(string text, string[] expected) => Assert.Equal(expected, Pieces(text));

    [Fact]
    public void TreatsCodePointsOutsideTheBmpAsWholeCharacters()
    {
        // Emoji (So) with joiners and a skin tone form one run; mathematical letters (Lu, astral) are letters;
        // an astral digit is one number piece.
        Assert.Equal(new[] { "👨\u200D👩\u200D👧", "x", "👍🏽" }, Pieces("👨\u200D👩\u200D👧 x 👍🏽"));
        Assert.Equal(new[] { "𝐀𝐁c" }, Pieces("𝐀𝐁c"));
        Assert.Equal(new[] { "𝟏", "𝟐" }, Pieces("𝟏𝟐"));
        Assert.Equal(new[] { "𠀀𠀁" }, Pieces("𠀀𠀁"));
    }

    [Fact]
    public void KeepsCombiningMarksApartFromLettersButZwspInItsOwnRun()
    {
        Assert.Equal(new[] { "e", "\u0301\u0302" }, Pieces("e\u0301\u0302"));
        Assert.Equal(new[] { "zero", "\u200B", "width" }, Pieces("zero\u200Bwidth"));
    }

    [Fact]
    public void FollowsPythonIgnoreCaseDetails()
    {
        Assert.Equal(new[] { "\u03B1\u0345\u03B2" }, Pieces("\u03B1\u0345\u03B2"));   // U+0345's case partners are letters
        Assert.Equal(new[] { "it", "'\u017F" }, Pieces("it'\u017F"));                 // long s matches 's'
    }
}
