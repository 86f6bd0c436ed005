using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Atelier.Formats.Images;

/// <summary>
/// The CRC-32 of PNG chunks: ISO 3309 / ITU-T V.42 polynomial, reflected (0xEDB88320), initial value and final
/// XOR 0xFFFFFFFF (PNG specification §5.5 and Annex D). Computed over the chunk type and data, not the length.
/// <see cref="UpdateReference"/> is the byte-at-a-time definition; <see cref="Update"/> processes 8 bytes per step
/// with eight derived tables ("slicing-by-8") and is tested against it.
/// </summary>
internal static class PngCrc32
{
    private const uint Polynomial = 0xEDB88320;

    /// <summary>Register value before the first byte.</summary>
    public const uint Initial = 0xFFFFFFFF;

    // Table k (k = 0..7) at [k * 256, k * 256 + 256): table k maps a byte to its CRC contribution k bytes further on.
    private static readonly uint[] s_tables = BuildTables();

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(Initial, data);

    /// <summary>Feeds bytes to a running register (start from <see cref="Initial"/>, complement at the end).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        ref uint t = ref MemoryMarshal.GetArrayDataReference(s_tables);
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            uint one = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i)) ^ crc;
            uint two = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i + 4));
            // Every index is a masked byte plus a table base below 2048, so the unchecked reads stay inside s_tables.
            crc = Unsafe.Add(ref t, 7 * 256 + (int)(one & 0xFF))
                ^ Unsafe.Add(ref t, 6 * 256 + (int)((one >> 8) & 0xFF))
                ^ Unsafe.Add(ref t, 5 * 256 + (int)((one >> 16) & 0xFF))
                ^ Unsafe.Add(ref t, 4 * 256 + (int)(one >> 24))
                ^ Unsafe.Add(ref t, 3 * 256 + (int)(two & 0xFF))
                ^ Unsafe.Add(ref t, 2 * 256 + (int)((two >> 8) & 0xFF))
                ^ Unsafe.Add(ref t, 1 * 256 + (int)((two >> 16) & 0xFF))
                ^ Unsafe.Add(ref t, (int)(two >> 24));
        }
        for (; i < data.Length; i++)
            crc = Unsafe.Add(ref t, (int)((crc ^ data[i]) & 0xFF)) ^ (crc >> 8);
        return crc;
    }

    /// <summary>The definition (PNG specification Annex D): one table lookup per byte.</summary>
    public static uint UpdateReference(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
            crc = s_tables[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTables()
    {
        var tables = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            tables[n] = c;
        }
        for (int k = 1; k < 8; k++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint previous = tables[(k - 1) * 256 + n];
                tables[k * 256 + n] = (previous >> 8) ^ tables[previous & 0xFF];
            }
        }
        return tables;
    }
}
