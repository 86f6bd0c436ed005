using System.Globalization;
using System.Text;

namespace Atelier.Formats.Tokenizers;

/// <summary>
/// The few Python <c>str</c> semantics the CLIP reference relies on, which .NET defines differently:
/// <c>str.isspace</c> / <c>re</c>'s <c>\s</c>, <c>whitespace_clean</c> (<c>re.sub(r"\s+", " ", t).strip()</c>)
/// and <c>str.lower</c> (full lowercase mapping with the Final_Sigma rule, where .NET maps one character
/// at a time and leaves U+0130 alone).
/// </summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace</c> (= <c>re</c>'s <c>\s</c> on str): bidi class WS/B/S or category Zs.</summary>
    public static bool IsSpace(int cp) => cp switch
    {
        >= 0x09 and <= 0x0D => true,
        >= 0x1C and <= 0x20 => true,
        0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    /// <summary>CLIP's <c>whitespace_clean</c>: every run of whitespace becomes one space, then both ends are stripped.</summary>
    public static string CollapseWhitespace(string text)
    {
        StringBuilder? builder = null;
        int start = 0, end = text.Length;
        while (start < end && IsSpace(text[start]))
            start++;
        while (end > start && IsSpace(text[end - 1]))
            end--;
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            if (!IsSpace(c))
            {
                builder?.Append(c);
                continue;
            }
            int runEnd = i + 1;
            while (runEnd < end && IsSpace(text[runEnd]))
                runEnd++;
            if (builder is null && (c != ' ' || runEnd > i + 1))
                builder = new StringBuilder(text, start, i - start, end - start);
            builder?.Append(' ');
            i = runEnd - 1;
        }
        if (builder is not null)
            return builder.ToString();
        return start == 0 && end == text.Length ? text : text[start..end];
    }

    /// <summary>
    /// Python's <c>str.lower()</c>: the simple lowercase mapping of each code point, except U+0130 (full mapping
    /// "i̇") and U+03A3, which becomes final sigma U+03C2 after a cased letter when no cased letter follows
    /// (Unicode Final_Sigma; case-ignorable characters in between are skipped).
    /// </summary>
    public static string ToLower(string text)
    {
        int i = 0;
        while (i < text.Length && (text[i] < 'A' || text[i] > 'Z') && text[i] < 0x80)
            i++;
        if (i == text.Length)
            return text;

        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, i);
        while (i < text.Length)
        {
            char c = text[i];
            if (c < 0x80)
            {
                builder.Append(c is >= 'A' and <= 'Z' ? (char)(c + 32) : c);
                i++;
                continue;
            }
            Rune.DecodeFromUtf16(text.AsSpan(i), out Rune rune, out int consumed);
            if (rune.Value == 0x130)
                builder.Append("i\u0307");
            else if (rune.Value == 0x3A3)
                builder.Append(IsFinalSigma(text, i) ? '\u03C2' : '\u03C3');
            else
                builder.Append(Rune.ToLowerInvariant(rune).ToString());
            i += consumed;
        }
        return builder.ToString();
    }

    private static bool IsFinalSigma(string text, int index)
    {
        int j = index;
        Rune before = default;
        bool found = false;
        while (j > 0)
        {
            Rune.DecodeLastFromUtf16(text.AsSpan(0, j), out before, out int consumed);
            j -= consumed;
            if (!IsCaseIgnorable(before))
            {
                found = true;
                break;
            }
        }
        if (!found || !IsCased(before))
            return false;
        j = index + 1;
        while (j < text.Length)
        {
            Rune.DecodeFromUtf16(text.AsSpan(j), out Rune after, out int consumed);
            j += consumed;
            if (!IsCaseIgnorable(after))
                return !IsCased(after);
        }
        return true;
    }

    // Cased and Case_Ignorable (Unicode DerivedCoreProperties) approximated by general category plus the
    // Word_Break MidLetter/MidNumLet/Single_Quote characters; they only decide between σ and ς.
    private static bool IsCased(Rune rune) => Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune rune)
    {
        switch (rune.Value)
        {
            case 0x27 or 0x2E or 0x3A or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
                or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A:
                return true;
        }
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
    }
}
