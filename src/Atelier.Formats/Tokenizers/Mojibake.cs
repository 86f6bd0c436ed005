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
/// holds at least one <i>telltale sequence</i> and the bytes are valid UTF-8, the decoded text replaces it. A space
/// where a UTF-8 sequence needs its 0xA0 byte ("Ã " for "à": the no-break space got normalised) is restored
/// when that makes the whole text valid UTF-8.</item>
/// <item>Piecewise (text that is partly correct, or holds characters outside the code page): each telltale
/// sequence is decoded on its own.</item>
/// </list>
/// A telltale sequence is a complete, valid UTF-8 multi-byte sequence spelled in code-page characters whose lead
/// is Â..Û (2 bytes, decoding to U+0080–U+06FF: Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic), à..ï (3 bytes)
/// or ð..ô (4 bytes). Leads Ü..ß are left out on purpose: they decode to Syriac, Thaana and N'Ko, which nobody
/// mis-decodes in practice, while "ß“" or "Ü»" is ordinary German. Legitimate text essentially never puts an
/// accented capital right before a symbol that completes a valid sequence.
/// Not covered (ftfy handles them, prompts do not carry them): other single-byte code pages (1250, 1251,
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
        if (!ContainsTelltale(bytes))
            return null;
        return DecodeStrict(bytes) ?? (RestoreNoBreakSpaces(bytes) ? DecodeStrict(bytes) : null);
    }

    private static string FixPiecewise(string text)
    {
        StringBuilder? builder = null;
        int copied = 0;
        Span<byte> sequence = stackalloc byte[4];
        for (int i = 0; i < text.Length; i++)
        {
            int lead = Windows1252.MojibakeByte(text[i]);
            int length = lead < 0 ? 0 : TelltaleLength((byte)lead);
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
            if (!complete || DecodeStrict(sequence[..length]) is not { } decoded)
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

    /// <summary>The length of the UTF-8 sequence a telltale lead byte starts, or 0 when the byte is no telltale lead.</summary>
    private static int TelltaleLength(byte lead) => lead switch
    {
        >= 0xC2 and <= 0xDB => 2,
        >= 0xE0 and <= 0xEF => 3,
        >= 0xF0 and <= 0xF4 => 4,
        _ => 0,
    };

    private static bool ContainsTelltale(byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            int length = TelltaleLength(bytes[i]);
            if (length == 0 || i + length > bytes.Length)
                continue;
            int k = 1;
            while (k < length && bytes[i + k] is >= 0x80 and <= 0xBF)
                k++;
            if (k == length && DecodeStrict(bytes.AsSpan(i, length)) is not null)
                return true;
        }
        return false;
    }

    /// <summary>Turns 0x20 back into 0xA0 wherever a UTF-8 sequence expects a continuation byte; true when any changed.</summary>
    private static bool RestoreNoBreakSpaces(byte[] bytes)
    {
        bool changed = false;
        int expected = 0;
        foreach (ref byte b in bytes.AsSpan())
        {
            if (expected > 0 && b == 0x20)
            {
                b = 0xA0;
                changed = true;
            }
            if (expected > 0 && b is >= 0x80 and <= 0xBF)
                expected--;
            else
                expected = b switch { >= 0xC2 and <= 0xDF => 1, >= 0xE0 and <= 0xEF => 2, >= 0xF0 and <= 0xF4 => 3, _ => 0 };
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
