using System.Text;

namespace Atelier.Formats.Tokenizers;

/// <summary>
/// ftfy's <c>unescape_html</c> fix: every <c>&amp;name;</c> or <c>&amp;#number;</c> that spells a complete reference
/// (at most 24 ASCII letters or digits, then ';') becomes its character(s); anything else is left as typed.
/// Names are the WHATWG list plus the upper-cased spellings ftfy accepts (<c>&amp;EACUTE;</c> → É); numbers
/// follow the HTML5 rules (windows-1252 for 0x80–0x9F, U+FFFD for 0, surrogates and values past U+10FFFF,
/// nothing for other control and non-character code points). A numeric reference whose result is ';' stays as typed.
/// </summary>
internal static class HtmlEntities
{
    private const int MaxNameLength = 24;

    private static readonly Dictionary<string, string> s_named = LoadNames();
    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> s_namedBySpan
        = s_named.GetAlternateLookup<ReadOnlySpan<char>>();

    public static string Unescape(string text)
    {
        int amp = text.IndexOf('&');
        if (amp < 0)
            return text;

        var builder = new StringBuilder(text.Length);
        int copied = 0;
        for (int i = amp; i < text.Length; i++)
        {
            if (text[i] != '&')
                continue;
            int length = MatchLength(text, i);
            if (length == 0)
                continue;
            ReadOnlySpan<char> reference = text.AsSpan(i, length);
            string? replacement = Replacement(reference);
            if (replacement is null)
                continue;
            builder.Append(text, copied, i - copied).Append(replacement);
            copied = i + length;
            i = copied - 1;
        }
        if (copied == 0)
            return text;
        return builder.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>Length of <c>&amp;#?[0-9A-Za-z]{1,24};</c> at <paramref name="start"/>, or 0.</summary>
    private static int MatchLength(string text, int start)
    {
        int i = start + 1;
        if (i < text.Length && text[i] == '#')
            i++;
        int nameStart = i;
        while (i < text.Length && char.IsAsciiLetterOrDigit(text[i]) && i - nameStart < MaxNameLength)
            i++;
        if (i == nameStart || i >= text.Length || text[i] != ';')
            return 0;
        return i + 1 - start;
    }

    private static string? Replacement(ReadOnlySpan<char> reference)
    {
        if (s_namedBySpan.TryGetValue(reference, out string? named))
            return named;
        if (reference.Length < 4 || reference[1] != '#')
            return null;
        string? numeric = DecodeNumeric(reference[2..^1]);
        return numeric is null || numeric.Contains(';') ? null : numeric;
    }

    /// <summary>The HTML5 numeric character reference rules, for the digits between "&amp;#" and ";".</summary>
    private static string? DecodeNumeric(ReadOnlySpan<char> digits)
    {
        bool hex = digits[0] is 'x' or 'X';
        if (hex)
            digits = digits[1..];
        if (digits.IsEmpty)
            return null;
        long value = 0;
        foreach (char c in digits)
        {
            int d = hex ? HexValue(c) : (c is >= '0' and <= '9' ? c - '0' : -1);
            if (d < 0)
                return null;
            value = Math.Min(value * (hex ? 16 : 10) + d, 0x7FFF_FFFFL);
        }

        if (value is >= 0x80 and <= 0x9F)
            return Windows1252.Decode((byte)value).ToString();
        switch (value)
        {
            case 0:
                return "\uFFFD";
            case 0x0D:
                return "\r";
            case >= 0xD800 and <= 0xDFFF:
            case > 0x10FFFF:
                return "\uFFFD";
            case (>= 0x01 and <= 0x08) or 0x0B or (>= 0x0E and <= 0x1F) or 0x7F or (>= 0xFDD0 and <= 0xFDEF):
                return "";
        }
        if ((value & 0xFFFE) == 0xFFFE)
            return "";
        return char.ConvertFromUtf32((int)value);
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static Dictionary<string, string> LoadNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string[] f in EmbeddedTable.Records("HtmlEntities.txt"))
            names.Add(f[0], EmbeddedTable.CodePoints(f, 1));
        return names;
    }
}
