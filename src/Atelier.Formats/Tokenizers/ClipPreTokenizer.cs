using System.Globalization;
using System.Text;

namespace Atelier.Formats.Tokenizers;

/// <summary>
/// CLIP's pre-tokenizer, the matches of <c>re.findall</c> with the pattern (Python <c>regex</c>, IGNORECASE)
/// <c>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>,
/// written as a scanner over code points rather than a .NET <c>Regex</c>, whose <c>\p{L}</c> sees UTF-16 units:
/// a letter outside the BMP (𝐀, 𠀀) would split, and case-insensitive matching differs.
/// At each position the alternatives are tried in pattern order: a special-token literal, a contraction,
/// a run of letters, one number character (so "2024" gives four pieces), a run of anything that is neither
/// whitespace, letter nor number (emoji, punctuation, marks, joiners); whitespace is skipped.
/// Python's IGNORECASE adds two details kept here: U+0345 counts as a letter (its case partners are
/// letters), and 'ſ' (long s) matches 's' inside the literals and contractions.
/// </summary>
internal static class ClipPreTokenizer
{
    private static readonly string[] s_literals = ["<|startoftext|>", "<|endoftext|>"];
    private static readonly string[] s_contractions = ["s", "t", "re", "ve", "m", "ll", "d"];

    /// <summary>The pieces of <paramref name="text"/> (already cleaned), as (start, length) in UTF-16 units.</summary>
    public static List<(int Start, int Length)> Split(string text)
    {
        var pieces = new List<(int, int)>();
        int i = 0;
        while (i < text.Length)
        {
            int length = MatchAt(text, i);
            if (length > 0)
            {
                pieces.Add((i, length));
                i += length;
            }
            else
            {
                i += char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            }
        }
        return pieces;
    }

    private static int MatchAt(string text, int start)
    {
        foreach (string literal in s_literals)
            if (MatchesIgnoringCase(text, start, literal))
                return literal.Length;

        if (text[start] == '\'')
        {
            foreach (string contraction in s_contractions)
                if (MatchesIgnoringCase(text, start + 1, contraction))
                    return 1 + contraction.Length;
        }

        CharClass first = Classify(text, start, out int width);
        switch (first)
        {
            case CharClass.Letter:
                int end = start + width;
                while (end < text.Length && Classify(text, end, out int w) == CharClass.Letter)
                    end += w;
                return end - start;
            case CharClass.Number:
                return width;
            case CharClass.Other:
                int stop = start + width;
                while (stop < text.Length && Classify(text, stop, out int w) == CharClass.Other)
                    stop += w;
                return stop - start;
            default:
                return 0;
        }
    }

    private static bool MatchesIgnoringCase(string text, int start, string lowerAscii)
    {
        if (start + lowerAscii.Length > text.Length)
            return false;
        for (int k = 0; k < lowerAscii.Length; k++)
        {
            char c = text[start + k], expected = lowerAscii[k];
            if (c == expected || (c is >= 'A' and <= 'Z' && c + 32 == expected) || (expected == 's' && c == '\u017F'))
                continue;
            return false;
        }
        return true;
    }

    private enum CharClass { Space, Letter, Number, Other }

    private static CharClass Classify(string text, int index, out int width)
    {
        char c = text[index];
        width = 1;
        if (c < 0x80)
        {
            if (char.IsAsciiLetter(c))
                return CharClass.Letter;
            if (char.IsAsciiDigit(c))
                return CharClass.Number;
            return PythonText.IsSpace(c) ? CharClass.Space : CharClass.Other;
        }
        if (Rune.DecodeFromUtf16(text.AsSpan(index), out Rune rune, out width) != System.Buffers.OperationStatus.Done)
            return CharClass.Other;
        if (PythonText.IsSpace(rune.Value))
            return CharClass.Space;
        if (rune.Value == 0x345)
            return CharClass.Letter;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharClass.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharClass.Number,
            _ => CharClass.Other,
        };
    }
}
