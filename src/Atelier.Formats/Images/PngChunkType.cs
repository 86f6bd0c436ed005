using System.Buffers.Binary;

namespace Atelier.Formats.Images;

/// <summary>
/// Chunk type codes as big-endian uint32 (the four ASCII letters as they appear in the file) and the
/// property bits encoded in the letters' case (PNG specification §5.4).
/// </summary>
internal static class PngChunkType
{
    public const uint Ihdr = 0x49484452; // "IHDR"
    public const uint Plte = 0x504C5445; // "PLTE"
    public const uint Idat = 0x49444154; // "IDAT"
    public const uint Iend = 0x49454E44; // "IEND"
    public const uint Trns = 0x74524E53; // "tRNS"
    public const uint Bkgd = 0x624B4744; // "bKGD"
    public const uint Sbit = 0x73424954; // "sBIT"
    public const uint Hist = 0x68495354; // "hIST"
    public const uint Text = 0x74455874; // "tEXt"
    public const uint Ztxt = 0x7A545874; // "zTXt"
    public const uint Itxt = 0x69545874; // "iTXt"

    public static uint FromString(string type)
    {
        if (!IsValid(type))
            throw new ArgumentException($"PNG chunk type '{type}' is not four ASCII letters.", nameof(type));
        return (uint)type[0] << 24 | (uint)type[1] << 16 | (uint)type[2] << 8 | type[3];
    }

    public static bool IsValid(string type) => type.Length == 4 && type.All(char.IsAsciiLetter);

    public static bool IsValid(uint code)
    {
        for (int shift = 0; shift < 32; shift += 8)
        {
            if (!char.IsAsciiLetter((char)((code >> shift) & 0xFF)))
                return false;
        }
        return true;
    }

    /// <summary>The four letters, or the bytes in hex when they are not letters (for error messages).</summary>
    public static string ToString(uint code)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, code);
        return IsValid(code) ? System.Text.Encoding.ASCII.GetString(bytes) : $"0x{code:X8}";
    }

    /// <summary>Ancillary bit: bit 5 of the first byte (lower case). Critical chunks must be understood to decode.</summary>
    public static bool IsCritical(uint code) => (code & 0x20000000) == 0;
}
