using System.Buffers.Binary;

namespace Atelier.Formats.Images;

/// <summary>Writes chunks (length, type, data, CRC over type and data; PNG specification §5.3).</summary>
internal static class PngChunkWriter
{
    public static void Write(Stream output, uint type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(head.Slice(4), type);
        uint crc = PngCrc32.Update(PngCrc32.Initial, head.Slice(4));
        crc = ~PngCrc32.Update(crc, data);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        output.Write(head);
        output.Write(data);
        output.Write(tail);
    }
}
