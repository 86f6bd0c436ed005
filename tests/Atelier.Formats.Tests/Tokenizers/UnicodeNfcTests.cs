using Atelier.Formats.Tokenizers;

namespace Atelier.Formats.Tests.Tokenizers;

/// <summary>
/// NFC on hand-picked cases covering each rule of UAX #15. (During development the implementation also passed
/// all of Unicode 15.0's NormalizationTest.txt for NFC, and the invariant that unlisted code points are stable.)
/// </summary>
public class UnicodeNfcTests
{
    [Theory]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("e\u0301", "\u00E9")]                              // composition
    [InlineData("\u00E9", "\u00E9")]                               // already composed
    [InlineData("a\u0302\u0323", "\u1EAD")]                        // canonical reordering (below 220 before above 230), then composition
    [InlineData("a\u0323\u0302", "\u1EAD")]
    [InlineData("\u1100\u1161", "\uAC00")]                         // Hangul L+V
    [InlineData("\uAC00\u11A8", "\uAC01")]                         // Hangul LV+T
    [InlineData("\u0915\u093C", "\u0915\u093C")]                   // U+0958 is excluded from composition
    [InlineData("\u0958", "\u0915\u093C")]
    [InlineData("\u212B", "\u00C5")]                               // singleton (Angstrom sign)
    [InlineData("\u0340", "\u0300")]                               // singleton combining mark
    [InlineData("a\u0301\u0301", "\u00E1\u0301")]                  // the second acute is blocked by the first
    [InlineData("\u0301e", "\u0301e")]                             // a leading mark has no starter
    [InlineData("\U0001D15E", "\U0001D157\U0001D165")]             // astral, excluded from composition
    [InlineData("\U000110A5\U000110BA", "\U000110AB")]             // astral composition (Kaithi)
    public void NormalizesAsUax15(string input, string expected) => Assert.Equal(expected, UnicodeNfc.Normalize(input));

    [Fact]
    public void CombiningClassesComeFromTheTable()
    {
        Assert.Equal(230, UnicodeNfc.CombiningClass(0x0301));
        Assert.Equal(220, UnicodeNfc.CombiningClass(0x0323));
        Assert.Equal(0, UnicodeNfc.CombiningClass('a'));
        Assert.Equal(9, UnicodeNfc.CombiningClass(0x11046));       // astral (Brahmi virama)
    }
}
