using Atelier.Formats.Tokenizers;

namespace Atelier.Formats.Tests.Tokenizers;

/// <summary>The ftfy-style fixes, whitespace cleaning and lowercasing, one behaviour per case.</summary>
public class ClipTextCleanerTests
{
    [Theory]
    [InlineData("cafÃ© crÃ¨me", "café crème")]                                    // UTF-8 read as Windows-1252
    [InlineData("sÃ³", "só")]
    [InlineData("This â€” should be an em dash", "This — should be an em dash")]
    [InlineData("âœ” No problems", "✔ No problems")]                              // 3-byte sequence
    [InlineData("ðŸ˜€ party", "😀 party")]                                        // 4-byte sequence (emoji)
    [InlineData("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Привет")]                                       // Cyrillic
    [InlineData("æ—¥æœ¬", "日本")]                                                 // CJK
    [InlineData("doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t", "doesn't")]                             // three layers, then uncurled
    [InlineData("cafÃ© 😀", "café 😀")]                                           // partly correct text: fixed piecewise
    [InlineData("café cafÃ©", "café café")]
    [InlineData("â€œquotedâ€\u009d", "\"quoted\"")]                               // Latin-1 and Windows-1252 mixed (0x9D kept as C1)
    [InlineData("voilÃ\u0020 cafÃ©", "voilà café")]                              // 0xA0 that became a space
    [InlineData("voilÃ ", "voilà")]                                                // ... evidence enough after a lowercase letter
    [InlineData("Ã  la carte", "à la carte")]                                      // ... or at the start
    [InlineData("zaÅ¼Ã³Å‚Ä‡ gÄ™Å›lÄ… jaÅºÅ„", "zażółć gęślą jaźń")]              // Polish: Latin Extended-A
    [InlineData("gęślÄ… jaźń", "gęślą jaźń")]                                       // partly correct: "Ä…" alone
    [InlineData("Ð»ÐµÑ\u0081 Ð¸ Ð¼Ð¾Ñ€Ðµ", "лес и море")]                       // Cyrillic with a C1 byte (0x81)
    public void RepairsMojibake(string input, string expected)
        => Assert.Equal(expected, TextFixer.FixText(input));

    [Theory]
    [InlineData("naïve café, Noël, cœur, ÉLÉPHANT, À BIENTÔT")]
    [InlineData("ünïcödé ßtraße Ångström")]
    [InlineData("„Straße“ und »Grüße«")]          // ß/Ü before quotes would be valid UTF-8 (N'Ko), but is German
    [InlineData("mixed ✨ symbols ™ © ® ° ± × ÷ € £ ¥")]
    [InlineData("IRMÃ E")]                          // a lone "Ã " after a capital is Portuguese, not evidence of mojibake
    [InlineData("« L'ÉTÉ\u00A0» et «\u00A0été\u00A0»")] // É + no-break space would be valid UTF-8 (U+0260)
    [InlineData("un café”… très ‘bon’")]            // é ” … would be valid UTF-8 (U+9505)
    public void LeavesCorrectTextAlone(string input)
        => Assert.Equal(input.Replace('„', '"').Replace('“', '"').Replace('”', '"').Replace('‘', '\'').Replace('’', '\''), TextFixer.FixText(input));

    [Theory]
    [InlineData("Tom &amp; Jerry &lt;3 &quot;x&quot;", "Tom & Jerry <3 \"x\"")]
    [InlineData("&eacute;t&eacute; &#233; &#xE9; &EACUTE;", "été é é É")]        // named, decimal, hex, upper-cased name
    [InlineData("&#39;single&#39;", "'single'")]
    [InlineData("&#128; &#x92;", "€ '")]                                          // 0x80-0x9F are Windows-1252
    [InlineData("&#0;|&#x110000;|&#xD800;", "\uFFFD|\uFFFD|\uFFFD")]
    [InlineData("a&#1;b", "ab")]                                                  // control code points vanish
    [InlineData("&#59; &#12ab; &nosuchentity; &amp", "&#59; &#12ab; &nosuchentity; &amp")]
    [InlineData("&amp;lt;", "<")]                                                 // fixes repeat until nothing changes
    public void DecodesHtmlEntitiesWhenThereIsNoLiteralLessThan(string input, string expected)
        => Assert.Equal(expected, TextFixer.FixText(input));

    [Theory]
    [InlineData("<b>Tom &amp; Jerry</b>", "<b>Tom &amp; Jerry</b>")]
    [InlineData("x < y &amp; z", "x < y &amp; z")]
    [InlineData("a &amp; b\nc < d &amp; e\nf &amp; g", "a & b\nc < d &amp; e\nf &amp; g")] // from the first line with '<' on
    public void KeepsHtmlEntitiesOnceALiteralLessThanIsSeen(string input, string expected)
        => Assert.Equal(expected, TextFixer.FixText(input));

    [Theory]
    [InlineData("curly ‘single’ and “double” quotes ‚low„ ‛rev‟", "curly 'single' and \"double\" quotes 'low\" 'rev\"")]
    [InlineData("it\u02BCs", "it's")]
    public void StraightensQuotes(string input, string expected) => Assert.Equal(expected, TextFixer.FixText(input));

    [Theory]
    [InlineData("ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ", "fi fl ff ffi ffl st st")]
    [InlineData("Ĳssel ǆ ǅ Ǆ ǉ", "IJssel ǆ ǅ Ǆ lj")]                              // dz with caron is no ligature fix
    [InlineData("ŉ", "'n")]                                                         // ʼn, then the apostrophe is uncurled
    public void SplitsLatinLigatures(string input, string expected) => Assert.Equal(expected, TextFixer.FixText(input));

    [Theory]
    [InlineData("fullwidth ＡＢＣ １２３！", "fullwidth ABC 123!")]
    [InlineData("ｶﾞｷﾞｸﾞ", "ガギグ")]                                               // halfwidth katakana + voiced mark, composed by NFC
    [InlineData("日本\u3000語", "日本 語")]                                         // ideographic space
    public void FixesCharacterWidth(string input, string expected) => Assert.Equal(expected, TextFixer.FixText(input));

    [Theory]
    [InlineData("Helle\u0301 u\u0308ber", "Hellé über")]
    [InlineData("\u212B", "\u00C5")]                                               // singleton decomposition
    public void NormalizesToNfc(string input, string expected) => Assert.Equal(expected, TextFixer.FixText(input));

    [Theory]
    [InlineData("a\u0000b\u0007c\u007Fd\uFEFFe\u206Af\uFFFCg", "abcdefg")]
    [InlineData("zero\u200Bwidth\u200Djoiner\u200Emark", "zero\u200Bwidth\u200Djoiner\u200Emark")] // kept, as ftfy keeps them
    [InlineData("\u001B[36;44mblue\u001B[0m", "blue")]                              // terminal escapes
    [InlineData("one\r\ntwo\rthree\u2028four\u2029five", "one\ntwo\nthree\nfour\nfive")]
    [InlineData("doo\u0085", "doo…")]                                               // C1 controls are read as Windows-1252 first
    public void RemovesControlsAndNormalizesLineBreaks(string input, string expected)
        => Assert.Equal(expected, TextFixer.FixText(input));

    [Fact]
    public void ReplacesUnpairedSurrogates()
    {
        // Built at run time: attribute arguments cannot carry an unpaired surrogate.
        string input = "lone " + '\uD800' + " high, lone " + '\uDC00' + " low, pair \U0001F600";
        Assert.Equal("lone \uFFFD high, lone \uFFFD low, pair \U0001F600", TextFixer.FixText(input));
    }

    [Theory]
    [InlineData("   leading and trailing spaces   ", "leading and trailing spaces")]
    [InlineData("tab\tand\nnewline\r\nseparated", "tab and newline separated")]
    [InlineData("non\u00A0breaking\u2003em\u3000ideographic\u001Cfile", "non breaking em ideographicfile")]                 // U+001C is a removed control
    [InlineData("A Photo Of A CAT", "a photo of a cat")]
    [InlineData("ΣΑΣ ΟΔΟΣ Σ", "σας οδος σ")]                                     // Python's Final_Sigma
    [InlineData("İstanbul", "i\u0307stanbul")]                                     // Python's full lowercase of U+0130
    [InlineData("", "")]
    [InlineData(" \t\n ", "")]
    public void CollapsesWhitespaceStripsAndLowercases(string input, string expected)
        => Assert.Equal(expected, ClipTextCleaner.Clean(input));
}
