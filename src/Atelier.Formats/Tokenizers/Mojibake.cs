using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Atelier.Formats.Tokenizers;

/// <summary>
/// Repairs UTF-8 text that was decoded as Windows-1252 or Latin-1 ("cafÃ©" → "café", "â€™" → "’",
/// "ðŸ˜€" → "😀"), repeatedly, so double mix-ups come undone too; the behaviour of ftfy's <c>fix_encoding</c>
/// for what prompts realistically contain. Our own design, in two steps:
/// <list type="number">
/// <item>Whole text: when every character stands for a byte (<see cref="Windows1252.MojibakeByte"/>), the text
/// shows evidence (a telltale sequence, below) and the bytes are valid UTF-8, the decoded text replaces it. A space
/// where a sequence needs its 0xA0 byte ("Ã " for "à": the no-break space got normalised) is turned back when that
/// makes the whole text valid; "Ã "/"Â " right after a lowercase ASCII letter (or at the start) is evidence by
/// itself ("voilÃ " → "voilà"), after a capital it is not ("IRMÃ E" is Portuguese).</item>
/// <item>Piecewise (text that is partly correct, or holds characters outside the code page): each telltale
/// sequence is decoded on its own.</item>
/// </list>
/// A <b>telltale sequence</b> is a complete, valid UTF-8 multi-byte sequence spelled in code-page characters with
/// a lead of Â..Û (2 bytes: Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic), à..ï (3 bytes) or ð..ô (4 bytes),
/// except where correct text naturally forms one: leads Ü..ß (Syriac, Thaana, N'Ko, which nobody mis-decodes,
/// while "ß“" or "Ü»" is ordinary German), and a word-final accented letter followed by closing punctuation or a
/// no-break space ("été » ", "café”…", "ÉTÉ »"): when the first continuation is one of … ’ ” – — NBSP « », the
/// sequence only counts after Â Ã Ä Å Î Ï Ð Ñ, whose mojibake uses those bytes all the time ("Ã«" = ë, "Ä…" = ą,
/// "Ð»" = л) and which do not end words with such punctuation in practice.
/// Not covered (ftfy handles them, prompts rarely carry them): other single-byte code pages (1250, 1251,
/// MacRoman, cp437…), CESU-8/Java "UTF-8 variants", and sequences whose lost bytes became '?' or U+FFFD.
/// </summary>
internal static class Mojibake
{
    public static string FixEncoding(string text)
    {
        while (true)
        {
            string fixedText = FixOnce(text);
            if (fixedText == text)
                return text;
            text = fixedText;
        }
    }

    /// <summary>ftfy's <c>fix_c1_controls</c>: remaining C1 controls are read as the Windows-1252 characters of their byte.</summary>
    public static string FixC1Controls(string text)
    {
        int i = text.AsSpan().IndexOfAnyInRange('\u0080', '\u009F');
        if (i < 0)
            return text;
        char[] chars = text.ToCharArray();
        for (; i < chars.Length; i++)
            if (chars[i] is >= '\u0080' and <= '\u009F')
                chars[i] = Windows1252.Decode((byte)chars[i]);
        return new string(chars);
    }

    private static string FixOnce(string text)
    {
        if (!text.AsSpan().ContainsAnyExceptInRange('\u0000', '\u007F'))
            return text;
        return TryWholeText(text) ?? FixPiecewise(text);
    }

    private static string? TryWholeText(string text)
    {
        byte[] bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            int b = Windows1252.MojibakeByte(text[i]);
            if (b < 0)
                return null;
            bytes[i] = (byte)b;
        }
        bool evidence = ContainsTelltale(bytes);
        if (evidence && DecodeStrict(bytes) is { } decoded)
            return decoded;
        bool lowercaseContext = false;
        if (!RestoreNoBreakSpaces(bytes, ref lowercaseContext) || !(evidence || lowercaseContext))
            return null;
        return DecodeStrict(bytes);
    }

    private static string FixPiecewise(string text)
    {
        StringBuilder? builder = null;
        int copied = 0;
        Span<byte> sequence = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            int lead = Windows1252.MojibakeByte(text[i]);
            int length = lead < 0 ? 0 : SequenceLength((byte)lead);
            if (length == 0 || i + length > text.Length)
                continue;
            sequence[0] = (byte)lead;
            bool complete = true;
            for (int k = 1; k < length && complete; k++)
            {
                int b = Windows1252.MojibakeByte(text[i + k]);
                complete = b is >= 0x80 and <= 0xBF;
                sequence[k] = (byte)b;
            }
            if (!complete || !IsTelltale(sequence[..length]) || DecodeStrict(sequence[..length]) is not { } decoded)
                continue;
            builder ??= new StringBuilder(text.Length);
            builder.Append(text, copied, i - copied).Append(decoded);
            copied = i + length;
            i = copied - 1;
        }
        if (builder is null)
            return text;
        return builder.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>The length of the UTF-8 sequence a lead byte starts (2, 3, 4), or 0 for any other byte.</summary>
    private static int SequenceLength(byte lead) => lead switch
    {
        >= 0xC2 and <= 0xDF => 2,
        >= 0xE0 and <= 0xEF => 3,
        >= 0xF0 and <= 0xF4 => 4,
        _ => 0,
    };

    /// <summary>A complete sequence (lead and continuations present) that counts as evidence of mojibake; see the class summary.</summary>
    private static bool IsTelltale(ReadOnlySpan<byte> sequence)
    {
        byte lead = sequence[0];
        if (lead is >= 0xDC and <= 0xDF)
            return false;
        bool punctuationFirst = sequence[1] is 0x85 or 0x92 or 0x94 or 0x96 or 0x97 or 0xA0 or 0xAB or 0xBB;
        bool leadUsesPunctuation = lead is (>= 0xC2 and <= 0xC5) or (>= 0xCE and <= 0xD1) or >= 0xF0;
        return (!punctuationFirst || leadUsesPunctuation) && DecodeStrict(sequence) is not null;
    }

    private static bool ContainsTelltale(byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            int length = SequenceLength(bytes[i]);
            if (length == 0 || i + length > bytes.Length)
                continue;
            int k = 1;
            while (k < length && bytes[i + k] is >= 0x80 and <= 0xBF)
                k++;
            if (k == length && IsTelltale(bytes.AsSpan(i, length)))
                return true;
        }
        return false;
    }

    /// <summary>
    /// Turns 0x20 back into 0xA0 wherever a UTF-8 sequence expects a continuation byte; true when any changed.
    /// <paramref name="lowercaseContext"/> is set when one of them completes "Ã "/"Â " at the start of the text or after a
    /// lowercase ASCII letter (with at most one space between).
    /// </summary>
    private static bool RestoreNoBreakSpaces(byte[] bytes, ref bool lowercaseContext)
    {
        bool changed = false;
        int expected = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            ref byte b = ref bytes[i];
            if (expected > 0 && b == 0x20)
            {
                b = 0xA0;
                changed = true;
                if (bytes[i - 1] is 0xC2 or 0xC3)
                {
                    int before = i - 2;
                    if (before >= 0 && bytes[before] == 0x20)
                        before--;
                    lowercaseContext |= i == 1 || (before >= 0 && bytes[before] is >= (byte)'a' and <= (byte)'z');
                }
            }
            if (expected > 0 && b is >= 0x80 and <= 0xBF)
                expected--;
            else
                expected = Math.Max(SequenceLength(b) - 1, 0);
        }
        return changed;
    }

    private static string? DecodeStrict(ReadOnlySpan<byte> bytes)
    {
        char[] buffer = ArrayPool<char>.Shared.Rent(bytes.Length);
        try
        {
            OperationStatus status = Utf8.ToUtf16(bytes, buffer, out _, out int written, replaceInvalidSequences: false);
            return status == OperationStatus.Done ? new string(buffer, 0, written) : null;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }
}
