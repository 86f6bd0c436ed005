using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Atelier.Training.Data;

/// <summary>
/// Writes every data-set image the same way: 8-bit RGBA, no interlace, no ancillary chunks, the "up" filter on every
/// row, zlib at the smallest-size level. No timestamps or tool names, so the same pixels always give the same bytes
/// and the manifest's sha256 column is reproducible whichever rasteriser produced the pixels.
/// </summary>
public static class PngEncoder
{
    public static byte[] Encode(RgbaImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int stride = image.Width * 4;
        var filtered = new byte[(stride + 1) * image.Height];
        for (int y = 0; y < image.Height; y++)
        {
            int dst = y * (stride + 1);
            filtered[dst] = 2; // filter type 2 (up): predicts from the row above; PNG spec §9.2
            for (int i = 0; i < stride; i++)
            {
                byte above = y > 0 ? image.Pixels[(y - 1) * stride + i] : (byte)0;
                filtered[dst + 1 + i] = (byte)(image.Pixels[y * stride + i] - above);
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            zlib.Write(filtered);

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], image.Height);
        header[8] = 8;  // bit depth
        header[9] = 6;  // colour type: RGBA
        header[10] = header[11] = header[12] = 0;  // deflate, adaptive filtering, no interlace
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(typeBytes, data));
        stream.Write(word);
    }
}
