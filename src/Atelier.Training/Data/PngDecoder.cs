using System.Buffers.Binary;
using System.IO.Compression;

namespace Atelier.Training.Data;

/// <summary>
/// The subset of PNG (ISO/IEC 15948) the data build meets: non-interlaced, bit depth 8 (1/2/4 for palette and grey),
/// any colour type, expanded to RGBA. It exists because the build must normalise palette and grey-alpha emoji
/// (Twemoji ships 177 palette PNGs, Noto 62 grey-alpha) and compare pixels, and the general decoder in
/// Atelier.Formats/Images is written concurrently; once merged, the integrator may route this through it.
/// Anything outside the subset fails with the file name and the offending field.
/// </summary>
public static class PngDecoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <param name="png">The file's bytes.</param>
    /// <param name="name">Names the file in error messages.</param>
    /// <exception cref="InvalidDataException">The bytes are not a PNG in the supported subset.</exception>
    public static RgbaImage Decode(ReadOnlySpan<byte> png, string name)
    {
        if (png.Length < 8 || !png[..8].SequenceEqual(Signature))
            throw new InvalidDataException($"{name}: not a PNG file (the 8-byte signature is missing).");

        int width = 0, height = 0, bitDepth = 0, colorType = -1;
        byte[]? palette = null, transparency = null;
        using var idat = new MemoryStream();
        int offset = 8;
        bool sawEnd = false;
        while (!sawEnd)
        {
            if (offset + 12 > png.Length)
                throw new InvalidDataException($"{name}: truncated at byte {offset} (expected another chunk before IEND).");
            int length = BinaryPrimitives.ReadInt32BigEndian(png[offset..]);
            if (length < 0 || offset + 12 + (long)length > png.Length)
                throw new InvalidDataException($"{name}: chunk at byte {offset} declares length {length}, beyond the end of the file ({png.Length} bytes).");
            ReadOnlySpan<byte> type = png.Slice(offset + 4, 4);
            ReadOnlySpan<byte> data = png.Slice(offset + 8, length);
            uint storedCrc = BinaryPrimitives.ReadUInt32BigEndian(png[(offset + 8 + length)..]);
            if (Crc32.Compute(type, data) != storedCrc)
                throw new InvalidDataException($"{name}: CRC mismatch in chunk '{System.Text.Encoding.ASCII.GetString(type)}' at byte {offset}.");

            switch (System.Text.Encoding.ASCII.GetString(type))
            {
                case "IHDR":
                    if (length != 13)
                        throw new InvalidDataException($"{name}: IHDR length is {length}, expected 13.");
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    bitDepth = data[8];
                    colorType = data[9];
                    if (data[12] != 0)
                        throw new InvalidDataException($"{name}: interlace method {data[12]} (Adam7) is not supported by the data-build decoder; expected 0.");
                    if (width is <= 0 or > 16384 || height is <= 0 or > 16384)
                        throw new InvalidDataException($"{name}: image size {width}x{height} is outside 1..16384.");
                    break;
                case "PLTE":
                    palette = data.ToArray();
                    break;
                case "tRNS":
                    transparency = data.ToArray();
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }
            offset += 12 + length;
        }

        if (colorType < 0)
            throw new InvalidDataException($"{name}: no IHDR chunk.");
        int channels = colorType switch
        {
            0 => 1,
            2 => 3,
            3 => 1,
            4 => 2,
            6 => 4,
            _ => throw new InvalidDataException($"{name}: colour type {colorType} is not defined by PNG (expected 0, 2, 3, 4 or 6)."),
        };
        bool lowDepthAllowed = colorType is 0 or 3;
        if (!(bitDepth == 8 || (lowDepthAllowed && bitDepth is 1 or 2 or 4)))
            throw new InvalidDataException($"{name}: bit depth {bitDepth} with colour type {colorType} is not supported (expected 8, or 1/2/4 for palette and grey).");
        if (colorType == 3 && palette is null)
            throw new InvalidDataException($"{name}: colour type 3 (palette) without a PLTE chunk.");

        int bitsPerPixel = channels * bitDepth;
        int stride = (width * bitsPerPixel + 7) / 8;
        int bytesPerPixel = Math.Max(1, bitsPerPixel / 8);
        byte[] raw = Inflate(idat, name, checked((stride + 1) * height));
        Unfilter(raw, stride, height, bytesPerPixel, name);
        return new RgbaImage(width, height, Expand(raw, width, height, stride, colorType, bitDepth, palette, transparency, name));
    }

    private static byte[] Inflate(MemoryStream idat, string name, int expected)
    {
        idat.Position = 0;
        var raw = new byte[expected];
        try
        {
            using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
            int read = 0;
            while (read < expected)
            {
                int n = zlib.Read(raw, read, expected - read);
                if (n == 0)
                    throw new InvalidDataException($"{name}: image data inflates to {read} bytes, expected {expected} (rows of filter byte + pixels).");
                read += n;
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: IDAT is not a valid zlib stream: {e.Message}", e);
        }
        return raw;
    }

    // PNG spec §9: each row starts with a filter-type byte; filters predict from the left (a), above (b), upper-left (c).
    private static void Unfilter(byte[] raw, int stride, int height, int bpp, string name)
    {
        for (int y = 0; y < height; y++)
        {
            int row = y * (stride + 1);
            int filter = raw[row];
            int cur = row + 1, prev = row - stride;
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? raw[cur + i - bpp] : 0;
                int b = y > 0 ? raw[prev + i] : 0;
                int c = i >= bpp && y > 0 ? raw[prev + i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"{name}: row {y} has filter type {filter}; PNG defines 0..4."),
                };
                raw[cur + i] = (byte)(raw[cur + i] + predictor);
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static byte[] Expand(byte[] raw, int width, int height, int stride, int colorType, int bitDepth,
        byte[]? palette, byte[]? transparency, string name)
    {
        var rgba = new byte[width * height * 4];
        int maxSample = (1 << bitDepth) - 1;
        for (int y = 0; y < height; y++)
        {
            int row = y * (stride + 1) + 1;
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 4;
                switch (colorType)
                {
                    case 0:
                    {
                        int v = Sample(raw, row, x, bitDepth);
                        byte g = (byte)(v * 255 / maxSample);
                        rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
                        bool keyed = transparency is { Length: >= 2 } && BinaryPrimitives.ReadUInt16BigEndian(transparency) == v;
                        rgba[o + 3] = keyed ? (byte)0 : (byte)255;
                        break;
                    }
                    case 2:
                    {
                        int p = row + x * 3;
                        rgba[o] = raw[p];
                        rgba[o + 1] = raw[p + 1];
                        rgba[o + 2] = raw[p + 2];
                        bool keyed = transparency is { Length: >= 6 }
                            && BinaryPrimitives.ReadUInt16BigEndian(transparency) == raw[p]
                            && BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(2)) == raw[p + 1]
                            && BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(4)) == raw[p + 2];
                        rgba[o + 3] = keyed ? (byte)0 : (byte)255;
                        break;
                    }
                    case 3:
                    {
                        int index = Sample(raw, row, x, bitDepth);
                        if (index * 3 + 2 >= palette!.Length)
                            throw new InvalidDataException($"{name}: pixel ({x}, {y}) uses palette index {index}, but PLTE has {palette.Length / 3} entries.");
                        rgba[o] = palette[index * 3];
                        rgba[o + 1] = palette[index * 3 + 1];
                        rgba[o + 2] = palette[index * 3 + 2];
                        rgba[o + 3] = transparency is not null && index < transparency.Length ? transparency[index] : (byte)255;
                        break;
                    }
                    case 4:
                        rgba[o] = rgba[o + 1] = rgba[o + 2] = raw[row + x * 2];
                        rgba[o + 3] = raw[row + x * 2 + 1];
                        break;
                    default:
                        Buffer.BlockCopy(raw, row + x * 4, rgba, o, 4);
                        break;
                }
            }
        }
        return rgba;
    }

    // Samples narrower than a byte are packed from the most significant bit (PNG spec §7.2).
    private static int Sample(byte[] raw, int row, int x, int bitDepth)
    {
        if (bitDepth == 8)
            return raw[row + x];
        int bit = x * bitDepth;
        int shift = 8 - bitDepth - (bit & 7);
        return (raw[row + (bit >> 3)] >> shift) & ((1 << bitDepth) - 1);
    }
}
