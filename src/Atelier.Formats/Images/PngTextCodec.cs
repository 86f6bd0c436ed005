using System.IO.Compression;
using System.Text;

namespace Atelier.Formats.Images;

/// <summary>Reads and writes the data of tEXt, zTXt and iTXt chunks (PNG specification §11.3.3).</summary>
internal static class PngTextCodec
{
    private static readonly Encoding s_utf8Strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Parses one text chunk. <paramref name="chunkOffset"/> and <paramref name="type"/> name it in errors;
    /// <paramref name="budget"/> is the metadata bytes still allowed and is reduced by the decoded text.
    /// </summary>
    public static PngTextChunk Parse(ReadOnlyMemory<byte> file, int dataOffset, int length, string type, long chunkOffset,
        PngChunkPosition position, PngDecodeOptions options, ref long budget)
    {
        var data = file.Span.Slice(dataOffset, length);
        int keywordEnd = data.Slice(0, Math.Min(data.Length, PngKeyword.MaxLength + 1)).IndexOf((byte)0);
        if (keywordEnd < 0)
            throw Error(type, chunkOffset, $"no NUL ends the keyword within the first {PngKeyword.MaxLength + 1} bytes; a keyword has 1 to 79 characters.");
        string keyword = Encoding.Latin1.GetString(data.Slice(0, keywordEnd));
        if (PngKeyword.Problem(keyword) is { } keywordProblem)
            throw Error(type, chunkOffset, keywordProblem);
        int rest = keywordEnd + 1;

        switch (type)
        {
            case "tEXt":
            {
                string text = Latin1Text(data.Slice(rest), type, chunkOffset, keyword);
                Charge(ref budget, keyword.Length + text.Length, type, chunkOffset, options);
                return PngTextChunk.FromDecoded(PngTextKind.Latin1, keyword, text, false, "", "", position);
            }
            case "zTXt":
            {
                if (rest >= data.Length)
                    throw Error(type, chunkOffset, $"keyword '{keyword}' is not followed by a compression method byte.");
                if (data[rest] != 0)
                    throw Error(type, chunkOffset, $"compression method {data[rest]} is not defined; expected 0 (zlib).");
                int start = rest + 1;
                byte[] inflated = Inflate(file, dataOffset + start, length - start, type, chunkOffset, options.MaxTextBytes);
                string text = Latin1Text(inflated, type, chunkOffset, keyword);
                Charge(ref budget, keyword.Length + inflated.Length, type, chunkOffset, options);
                return PngTextChunk.FromDecoded(PngTextKind.CompressedLatin1, keyword, text, true, "", "", position);
            }
            default:
                return ParseInternational(file, dataOffset, length, rest, keyword, chunkOffset, position, options, ref budget);
        }
    }

    private static PngTextChunk ParseInternational(ReadOnlyMemory<byte> file, int dataOffset, int length, int rest, string keyword,
        long chunkOffset, PngChunkPosition position, PngDecodeOptions options, ref long budget)
    {
        const string Type = "iTXt";
        var data = file.Span.Slice(dataOffset, length);
        if (data.Length - rest < 2)
            throw Error(Type, chunkOffset, $"keyword '{keyword}' is not followed by the compression flag and method bytes.");
        byte flag = data[rest], method = data[rest + 1];
        if (flag > 1)
            throw Error(Type, chunkOffset, $"compression flag is {flag}; expected 0 or 1.");
        if (method != 0)
            throw Error(Type, chunkOffset, $"compression method {method} is not defined; expected 0 (zlib).");
        int position0 = rest + 2;
        int languageEnd = data.Slice(position0).IndexOf((byte)0);
        if (languageEnd < 0)
            throw Error(Type, chunkOffset, "no NUL ends the language tag.");
        var languageBytes = data.Slice(position0, languageEnd);
        foreach (byte b in languageBytes)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b == '-'))
                throw Error(Type, chunkOffset, $"language tag byte 0x{b:X2} is not an ASCII letter, digit or '-'.");
        }
        string language = Encoding.ASCII.GetString(languageBytes);
        int translatedStart = position0 + languageEnd + 1;
        int translatedEnd = data.Slice(translatedStart).IndexOf((byte)0);
        if (translatedEnd < 0)
            throw Error(Type, chunkOffset, "no NUL ends the translated keyword.");
        string translated = Utf8(data.Slice(translatedStart, translatedEnd), "translated keyword", chunkOffset);
        int textStart = translatedStart + translatedEnd + 1;
        byte[] textBytes = flag == 1
            ? Inflate(file, dataOffset + textStart, length - textStart, Type, chunkOffset, options.MaxTextBytes)
            : data.Slice(textStart).ToArray();
        if (textBytes.AsSpan().IndexOf((byte)0) is int nul and >= 0)
            throw Error(Type, chunkOffset, $"text of '{keyword}' contains a NUL byte at text offset {nul}.");
        string text = Utf8(textBytes, "text", chunkOffset);
        Charge(ref budget, keyword.Length + languageBytes.Length + translatedEnd + textBytes.Length, Type, chunkOffset, options);
        return PngTextChunk.FromDecoded(PngTextKind.International, keyword, text, flag == 1, language, translated, position);
    }

    /// <summary>The chunk data (without length, type and CRC) for a text chunk.</summary>
    public static byte[] Serialize(PngTextChunk chunk)
    {
        var output = new MemoryStream();
        output.Write(Encoding.Latin1.GetBytes(chunk.Keyword));
        output.WriteByte(0);
        switch (chunk.Kind)
        {
            case PngTextKind.Latin1:
                output.Write(Encoding.Latin1.GetBytes(chunk.Text));
                break;
            case PngTextKind.CompressedLatin1:
                output.WriteByte(0);
                Deflate(Encoding.Latin1.GetBytes(chunk.Text), output);
                break;
            default:
                output.WriteByte(chunk.Compressed ? (byte)1 : (byte)0);
                output.WriteByte(0);
                output.Write(Encoding.ASCII.GetBytes(chunk.LanguageTag));
                output.WriteByte(0);
                output.Write(Encoding.UTF8.GetBytes(chunk.TranslatedKeyword));
                output.WriteByte(0);
                byte[] text = Encoding.UTF8.GetBytes(chunk.Text);
                if (chunk.Compressed)
                    Deflate(text, output);
                else
                    output.Write(text);
                break;
        }
        return output.ToArray();
    }

    private static void Deflate(byte[] data, Stream output)
    {
        using var z = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true);
        z.Write(data);
    }

    /// <summary>Inflates a zlib stream, refusing output beyond <paramref name="maxBytes"/> as soon as it appears.</summary>
    private static byte[] Inflate(ReadOnlyMemory<byte> file, int offset, int length, string type, long chunkOffset, int maxBytes)
    {
        using var source = new PngSegmentStream(file, [new PngDataSegment(offset, length, chunkOffset)]);
        using var z = new ZLibStream(source, CompressionMode.Decompress);
        // Grows with the data actually inflated, never with what a header claims.
        long cap = Math.Min(maxBytes + 1L, Array.MaxLength);
        byte[] buffer = new byte[Math.Min(cap, Math.Max(256L, length * 4L))];
        int filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (filled > maxBytes)
                        throw Error(type, chunkOffset, $"compressed text inflates to more than {maxBytes} bytes (PngDecodeOptions.MaxTextBytes).");
                    Array.Resize(ref buffer, (int)Math.Min(cap, 2L * buffer.Length));
                }
                int n = z.Read(buffer, filled, buffer.Length - filled);
                if (n == 0)
                    break;
                filled += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw Error(type, chunkOffset, $"compressed text is not a valid zlib stream: {e.Message}", e);
        }
        if (filled > maxBytes)
            throw Error(type, chunkOffset, $"compressed text inflates to more than {maxBytes} bytes (PngDecodeOptions.MaxTextBytes).");
        Array.Resize(ref buffer, filled);
        return buffer;
    }

    private static string Latin1Text(ReadOnlySpan<byte> bytes, string type, long chunkOffset, string keyword)
    {
        int nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
            throw Error(type, chunkOffset, $"text of '{keyword}' contains a NUL byte at text offset {nul}.");
        return Encoding.Latin1.GetString(bytes);
    }

    private static string Utf8(ReadOnlySpan<byte> bytes, string field, long chunkOffset)
    {
        try
        {
            return s_utf8Strict.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Error("iTXt", chunkOffset, $"{field} is not valid UTF-8: {e.Message}", e);
        }
    }

    private static void Charge(ref long budget, long bytes, string type, long chunkOffset, PngDecodeOptions options)
    {
        budget -= bytes;
        if (budget < 0)
            throw Error(type, chunkOffset, $"metadata exceeds {options.MaxMetadataBytes} bytes in total (PngDecodeOptions.MaxMetadataBytes).");
    }

    private static PngFormatException Error(string type, long offset, string problem, Exception? inner = null) => new(type, offset, problem, inner);
}
