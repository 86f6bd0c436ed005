namespace Atelier.Formats.Tokenizers;

/// <summary>
/// Windows-1252 as web browsers and ftfy's "sloppy" codec read it: bytes 0x80–0x9F are the typographic
/// characters of the code page, and its five unassigned bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) stand for the
/// C1 control with the same number, so every byte maps to exactly one character and back.
/// </summary>
internal static class Windows1252
{
    // Code page 1252 (unicode.org/Public/MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT), bytes 0x80–0x9F.
    private static readonly char[] s_high =
    [
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    ];

    public static char Decode(byte b) => b is >= 0x80 and <= 0x9F ? s_high[b - 0x80] : (char)b;

    /// <summary>
    /// The byte a character stands for when text that was really bytes got decoded as Windows-1252 or as
    /// Latin-1 (both mix-ups occur, sometimes in one string): characters up to U+00FF are their own byte
    /// (C1 controls included), the 27 typographic characters are their code-page byte; -1 for anything else.
    /// </summary>
    public static int MojibakeByte(char c)
    {
        if (c <= '\u00FF')
            return c;
        int index = Array.IndexOf(s_high, c);
        return index >= 0 ? 0x80 + index : -1;
    }
}
