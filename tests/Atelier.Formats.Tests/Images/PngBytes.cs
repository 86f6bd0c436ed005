using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Atelier.Formats.Tests.Images;

/// <summary>
/// Builds and takes apart PNG files chunk by chunk for the malformed-input tests, with a bitwise CRC of its own so
/// that the tests do not trust the codec's CRC.
/// </summary>
internal static class PngBytes
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public sealed record Chunk(string Type, byte[] Data);

    public static List<Chunk> Split(byte[] png)
    {
        var chunks = new List<Chunk>();
        int position = 8;
        while (position < png.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position));
            string type = Encoding.ASCII.GetString(png, position + 4, 4);
            chunks.Add(new Chunk(type, png.AsSpan(position + 8, length).ToArray()));
            position += 12 + length;
        }
        return chunks;
    }

    /// <summary>Offset of the length field of the index-th chunk.</summary>
    public static int OffsetOf(byte[] png, int index)
    {
        int position = 8;
        for (int i = 0; i < index; i++)
            position += 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position));
        return position;
    }

    public static byte[] Join(IEnumerable<Chunk> chunks)
    {
        var output = new MemoryStream();
        output.Write(Signature);
        foreach (var chunk in chunks)
            output.Write(Serialize(chunk.Type, chunk.Data));
        return output.ToArray();
    }

    public static byte[] Serialize(string type, byte[] data)
    {
        var bytes = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, bytes.AsSpan(4));
        data.CopyTo(bytes, 8);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8 + data.Length), BitwiseCrc(bytes.AsSpan(4, 4 + data.Length)));
        return bytes;
    }

    public static byte[] Ihdr(uint width, uint height, byte bitDepth, byte colorType, byte interlace = 0, byte compression = 0, byte filter = 0)
    {
        var data = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(data, width);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), height);
        data[8] = bitDepth;
        data[9] = colorType;
        data[10] = compression;
        data[11] = filter;
        data[12] = interlace;
        return data;
    }

    public static byte[] Zlib(byte[] raw)
    {
        var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(raw);
        return output.ToArray();
    }

    /// <summary>A complete file: IHDR, optional PLTE, one IDAT holding the zlib of <paramref name="scanlines"/>, IEND.</summary>
    public static byte[] Simple(byte[] ihdr, byte[] scanlines, byte[]? palette = null)
    {
        var chunks = new List<Chunk> { new("IHDR", ihdr) };
        if (palette is not null)
            chunks.Add(new Chunk("PLTE", palette));
        chunks.Add(new Chunk("IDAT", Zlib(scanlines)));
        chunks.Add(new Chunk("IEND", []));
        return Join(chunks);
    }

    /// <summary>CRC-32 one bit at a time, straight from the polynomial (PNG §5.5): independent of the codec's tables.</summary>
    public static uint BitwiseCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
