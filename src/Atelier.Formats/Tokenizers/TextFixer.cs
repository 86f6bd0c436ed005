using System.Text;

namespace Atelier.Formats.Tokenizers;

/// <summary>
/// The text fixing CLIP's reference tokenizer gets from <c>ftfy.fix_text</c> (ftfy 6.3.1, default settings), written
/// from ftfy's documented behaviour. The text is fixed line by line ('\n' ends a line); HTML entities are decoded
/// only until a line containing a literal '&lt;' is met (ftfy's <c>unescape_html="auto"</c>: such text may be HTML).
/// Each line runs through the fixes below, in ftfy's order, again and again until nothing changes:
/// <list type="number">
/// <item>HTML entities (<see cref="HtmlEntities"/>);</item>
/// <item>mojibake (<see cref="Mojibake.FixEncoding"/>), then leftover C1 controls read as Windows-1252;</item>
/// <item>Latin ligatures split into letters (ﬁ → fi, Ĳ → IJ);</item>
/// <item>fullwidth and halfwidth forms to their usual width (ＡＢＣ → ABC, ｶ → カ), ideographic space → space;</item>
/// <item>curly quotes (and ʼ) to straight quotes;</item>
/// <item>line breaks: "\r\n", "\r", U+2028, U+2029 and U+0085 → "\n";</item>
/// <item>unpaired UTF-16 surrogates → U+FFFD;</item>
/// <item>ANSI terminal escapes (ESC [ digits/';' letter) removed;</item>
/// <item>control characters removed: U+0000–U+0008, U+000B, U+000E–U+001F, U+007F, U+206A–U+206F, U+FEFF,
/// U+FFF9–U+FFFC (tab, line feed, form feed, carriage return, joiners, bidi marks and tags stay);</item>
/// <item>Unicode NFC (<see cref="UnicodeNfc"/>).</item>
/// </list>
/// </summary>
internal static class TextFixer
{
    // ftfy's max_decode_length: a longer line is fixed in pieces of this many UTF-16 units.
    private const int MaxSegmentLength = 1_000_000;
    private const int MaxRounds = 32;

    private static readonly Dictionary<char, string> s_widthMap = LoadWidthMap();

    public static string FixText(string text)
    {
        if (IsPlainAscii(text, allowAmpersand: false))
            return text;

        var result = new StringBuilder(text.Length);
        bool unescapeHtml = true;
        int position = 0;
        while (position < text.Length)
        {
            int lineEnd = text.IndexOf('\n', position) + 1;
            if (lineEnd == 0)
                lineEnd = text.Length;
            if (lineEnd - position > MaxSegmentLength)
                lineEnd = char.IsLowSurrogate(text[position + MaxSegmentLength]) ? position + MaxSegmentLength - 1 : position + MaxSegmentLength;
            string segment = text[position..lineEnd];
            if (unescapeHtml && segment.Contains('<'))
                unescapeHtml = false;
            result.Append(FixSegment(segment, unescapeHtml));
            position = lineEnd;
        }
        return result.ToString();
    }

    private static string FixSegment(string text, bool unescapeHtml)
    {
        // Every fix removes a defect or maps to a fixed form, so two or three rounds settle any real text; the
        // bound only guards the process against an input that would make two fixes undo each other forever.
        for (int round = 0; round < MaxRounds; round++)
        {
            if (IsPlainAscii(text, allowAmpersand: !unescapeHtml))
                return text;
            string original = text;
            if (unescapeHtml)
                text = HtmlEntities.Unescape(text);
            text = Mojibake.FixEncoding(text);
            text = Mojibake.FixC1Controls(text);
            text = MapCharacters(text);
            text = FixLineBreaks(text);
            text = ReplaceLoneSurrogates(text);
            text = RemoveTerminalEscapes(text);
            text = RemoveControlCharacters(text);
            text = UnicodeNfc.Normalize(text);
            if (text == original)
                return text;
        }
        return text;
    }

    /// <summary>Printable ASCII, tab and line feed, no '&amp;' unless allowed: every fix leaves such text unchanged.</summary>
    private static bool IsPlainAscii(string text, bool allowAmpersand)
    {
        foreach (char c in text)
        {
            if (c is (>= ' ' and <= '~') or '\t' or '\n')
            {
                if (c == '&' && !allowAmpersand)
                    return false;
                continue;
            }
            return false;
        }
        return true;
    }

    /// <summary>The three one-character fixes, each applied to the previous one's output: ligatures, width, quotes.</summary>
    private static string MapCharacters(string text)
    {
        StringBuilder? builder = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            string? replacement = c >= '\u0132' ? MapCharacter(c) : null;
            if (replacement is null)
            {
                builder?.Append(c);
                continue;
            }
            builder ??= new StringBuilder(text, 0, i, text.Length + 8);
            builder.Append(replacement);
        }
        return builder?.ToString() ?? text;
    }

    private static string? MapCharacter(char c)
    {
        string? mapped = Ligature(c) ?? s_widthMap.GetValueOrDefault(c);
        if (mapped is not null)
            return UncurlQuotes(mapped);
        return StraightQuote(c) is char straight ? straight.ToString() : null;
    }

    // ftfy's fix_latin_ligatures: the NFKD of these code points (and nothing else that NFKD would change).
    private static string? Ligature(char c) => c switch
    {
        '\u0132' => "IJ", '\u0133' => "ij", '\u0149' => "\u02BCn",
        '\u01C7' => "LJ", '\u01C8' => "Lj", '\u01C9' => "lj",
        '\u01CA' => "NJ", '\u01CB' => "Nj", '\u01CC' => "nj",
        '\u01F1' => "DZ", '\u01F2' => "Dz", '\u01F3' => "dz",
        '\uFB00' => "ff", '\uFB01' => "fi", '\uFB02' => "fl", '\uFB03' => "ffi", '\uFB04' => "ffl",
        '\uFB05' => "st", '\uFB06' => "st",
        _ => null,
    };

    // ftfy's uncurl_quotes: U+02BC and U+2018–U+201B become ', U+201C–U+201F become ".
    private static char? StraightQuote(char c) => c switch
    {
        '\u02BC' or (>= '\u2018' and <= '\u201B') => '\'',
        >= '\u201C' and <= '\u201F' => '"',
        _ => null,
    };

    private static string UncurlQuotes(string text)
    {
        if (!text.Any(c => StraightQuote(c) is not null))
            return text;
        return string.Concat(text.Select(c => StraightQuote(c) ?? c));
    }

    private static string FixLineBreaks(string text)
    {
        if (!text.AsSpan().ContainsAny('\r', '\u2028', '\u2029') && !text.Contains('\u0085'))
            return text;
        return text.Replace("\r\n", "\n").Replace('\r', '\n').Replace('\u2028', '\n').Replace('\u2029', '\n').Replace('\u0085', '\n');
    }

    private static string ReplaceLoneSurrogates(string text)
    {
        int i = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0)
            return text;
        char[] chars = text.ToCharArray();
        for (; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                i++;
            else if (char.IsSurrogate(chars[i]))
                chars[i] = '\uFFFD';
        }
        return new string(chars);
    }

    /// <summary>ftfy's remove_terminal_escapes: ESC '[' then digits or ';' then one ASCII letter.</summary>
    private static string RemoveTerminalEscapes(string text)
    {
        int escape = text.IndexOf("\u001B[", StringComparison.Ordinal);
        if (escape < 0)
            return text;
        var builder = new StringBuilder(text.Length);
        int copied = 0;
        for (int i = escape; i >= 0; i = text.IndexOf("\u001B[", i + 1, StringComparison.Ordinal))
        {
            if (i < copied)
                continue;
            int j = i + 2;
            while (j < text.Length && (text[j] == ';' || char.IsDigit(text[j])))
                j++;
            if (j < text.Length && char.IsAsciiLetter(text[j]))
            {
                builder.Append(text, copied, i - copied);
                copied = j + 1;
            }
        }
        return builder.Append(text, copied, text.Length - copied).ToString();
    }

    private static string RemoveControlCharacters(string text)
    {
        if (!ContainsControl(text))
            return text;
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
            if (!IsRemovedControl(c))
                builder.Append(c);
        return builder.ToString();

        static bool ContainsControl(string text)
        {
            foreach (char c in text)
                if (IsRemovedControl(c))
                    return true;
            return false;
        }
    }

    private static bool IsRemovedControl(char c) => c switch
    {
        (>= '\u0000' and <= '\u0008') or '\u000B' or (>= '\u000E' and <= '\u001F') or '\u007F' => true,
        (>= '\u206A' and <= '\u206F') or '\uFEFF' or (>= '\uFFF9' and <= '\uFFFC') => true,
        _ => false,
    };

    private static Dictionary<char, string> LoadWidthMap()
    {
        var map = new Dictionary<char, string>();
        foreach (string[] f in EmbeddedTable.Records("FullwidthForms.txt"))
            map.Add((char)EmbeddedTable.Hex(f[0]), EmbeddedTable.CodePoints(f, 1));
        return map;
    }
}
