using System.Buffers.Binary;

namespace Atelier.Formats.Images;

/// <summary>
/// Turns one reconstructed scanline, in any colour type and bit depth, into RGBA pixels (PNG specification §13.12):
/// gray of depth d is scaled exactly by 255 / (2^d − 1) (or 65535 / (2^d − 1)), palette indices are looked up with
/// tRNS alphas, the tRNS colour key of gray and RGB images compares raw samples, and 16-bit samples become 8-bit by
/// round(v · 255 / 65535). Destination pixels are <c>pixelStep</c> apart so that Adam7 passes scatter in place.
/// </summary>
internal sealed class PngRowExpander
{
    private readonly PngHeader _header;
    private readonly byte[] _paletteRgba = new byte[256 * 4];
    private readonly int _paletteCount;
    private readonly int _grayKey = -1;                   // raw gray sample that is transparent, or -1
    private readonly int _redKey = -1, _greenKey = -1, _blueKey = -1;

    public PngRowExpander(PngHeader header, byte[] palette, byte[]? transparency)
    {
        _header = header;
        if (header.ColorType == PngColorType.Palette)
        {
            _paletteCount = palette.Length / 3;
            for (int i = 0; i < _paletteCount; i++)
            {
                _paletteRgba[4 * i] = palette[3 * i];
                _paletteRgba[4 * i + 1] = palette[3 * i + 1];
                _paletteRgba[4 * i + 2] = palette[3 * i + 2];
                _paletteRgba[4 * i + 3] = transparency is not null && i < transparency.Length ? transparency[i] : (byte)255;
            }
        }
        else if (transparency is not null && header.ColorType == PngColorType.Gray)
        {
            _grayKey = BinaryPrimitives.ReadUInt16BigEndian(transparency);
        }
        else if (transparency is not null && header.ColorType == PngColorType.Rgb)
        {
            _redKey = BinaryPrimitives.ReadUInt16BigEndian(transparency);
            _greenKey = BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(2));
            _blueKey = BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(4));
        }
    }

    /// <summary>16-bit sample to 8 bits: round(v · 255 / 65535), exact for all v (no ties occur).</summary>
    public static byte Reduce16(int v) => (byte)((v * 255 + 32895) >> 16);

    /// <summary>
    /// Writes <paramref name="width"/> RGBA8 pixels to <paramref name="output"/>, pixel x at byte 4·x·pixelStep.
    /// Returns -1, or the column of the first palette index that has no PLTE entry (the row is then incomplete).
    /// </summary>
    public int ToRgba8(ReadOnlySpan<byte> row, int width, Span<byte> output, int pixelStep)
    {
        int step = 4 * pixelStep;
        int depth = _header.BitDepth;
        switch (_header.ColorType)
        {
            case PngColorType.Gray when depth < 8:
            {
                int scale = 255 / ((1 << depth) - 1);
                for (int x = 0, d = 0; x < width; x++, d += step)
                {
                    int v = SubByteSample(row, x, depth);
                    byte g = (byte)(v * scale);
                    output[d] = g;
                    output[d + 1] = g;
                    output[d + 2] = g;
                    output[d + 3] = v == _grayKey ? (byte)0 : (byte)255;
                }
                return -1;
            }
            case PngColorType.Gray when depth == 8:
                for (int x = 0, d = 0; x < width; x++, d += step)
                {
                    byte g = row[x];
                    output[d] = g;
                    output[d + 1] = g;
                    output[d + 2] = g;
                    output[d + 3] = g == _grayKey ? (byte)0 : (byte)255;
                }
                return -1;
            case PngColorType.Gray:
                for (int x = 0, d = 0; x < width; x++, d += step)
                {
                    int v = Sample16(row, x);
                    byte g = Reduce16(v);
                    output[d] = g;
                    output[d + 1] = g;
                    output[d + 2] = g;
                    output[d + 3] = v == _grayKey ? (byte)0 : (byte)255;
                }
                return -1;
            case PngColorType.Palette:
                for (int x = 0, d = 0; x < width; x++, d += step)
                {
                    int index = depth == 8 ? row[x] : SubByteSample(row, x, depth);
                    if (index >= _paletteCount)
                        return x;
                    _paletteRgba.AsSpan(4 * index, 4).CopyTo(output.Slice(d, 4));
                }
                return -1;
            case PngColorType.Rgb when depth == 8:
                for (int x = 0, s = 0, d = 0; x < width; x++, s += 3, d += step)
                {
                    byte r = row[s], g = row[s + 1], b = row[s + 2];
                    output[d] = r;
                    output[d + 1] = g;
                    output[d + 2] = b;
                    output[d + 3] = r == _redKey && g == _greenKey && b == _blueKey ? (byte)0 : (byte)255;
                }
                return -1;
            case PngColorType.Rgb:
                for (int x = 0, d = 0; x < width; x++, d += step)
                {
                    int r = Sample16(row, 3 * x), g = Sample16(row, 3 * x + 1), b = Sample16(row, 3 * x + 2);
                    output[d] = Reduce16(r);
                    output[d + 1] = Reduce16(g);
                    output[d + 2] = Reduce16(b);
                    output[d + 3] = r == _redKey && g == _greenKey && b == _blueKey ? (byte)0 : (byte)255;
                }
                return -1;
            case PngColorType.GrayAlpha when depth == 8:
                for (int x = 0, s = 0, d = 0; x < width; x++, s += 2, d += step)
                {
                    byte g = row[s];
                    output[d] = g;
                    output[d + 1] = g;
                    output[d + 2] = g;
                    output[d + 3] = row[s + 1];
                }
                return -1;
            case PngColorType.GrayAlpha:
                for (int x = 0, d = 0; x < width; x++, d += step)
                {
                    byte g = Reduce16(Sample16(row, 2 * x));
                    output[d] = g;
                    output[d + 1] = g;
                    output[d + 2] = g;
                    output[d + 3] = Reduce16(Sample16(row, 2 * x + 1));
                }
                return -1;
            case PngColorType.Rgba when depth == 8:
                if (pixelStep == 1)
                {
                    row.Slice(0, 4 * width).CopyTo(output);
                    return -1;
                }
                for (int x = 0, s = 0, d = 0; x < width; x++, s += 4, d += step)
                    row.Slice(s, 4).CopyTo(output.Slice(d, 4));
                return -1;
            default: // RGBA, 16-bit
                for (int x = 0, d = 0; x < width; x++, d += step)
                {
                    for (int k = 0; k < 4; k++)
                        output[d + k] = Reduce16(Sample16(row, 4 * x + k));
                }
                return -1;
        }
    }

    /// <summary>As <see cref="ToRgba8"/>, with 16-bit output: samples below 16 bits scale exactly to 0–65535.</summary>
    public int ToRgba16(ReadOnlySpan<byte> row, int width, Span<ushort> output, int pixelStep)
    {
        int step = 4 * pixelStep;
        int depth = _header.BitDepth;
        int channels = _header.Channels;
        switch (_header.ColorType)
        {
            case PngColorType.Gray:
                for (int x = 0, d = 0; x < width; x++, d += step)
                {
                    int v = depth == 16 ? Sample16(row, x) : depth == 8 ? row[x] : SubByteSample(row, x, depth);
                    ushort g = (ushort)(v * (65535 / ((1 << depth) - 1)));
                    output[d] = g;
                    output[d + 1] = g;
                    output[d + 2] = g;
                    output[d + 3] = v == _grayKey ? (ushort)0 : (ushort)65535;
                }
                return -1;
            case PngColorType.Palette:
                for (int x = 0, d = 0; x < width; x++, d += step)
                {
                    int index = depth == 8 ? row[x] : SubByteSample(row, x, depth);
                    if (index >= _paletteCount)
                        return x;
                    for (int k = 0; k < 4; k++)
                        output[d + k] = (ushort)(_paletteRgba[4 * index + k] * 257);
                }
                return -1;
            case PngColorType.Rgb:
                for (int x = 0, d = 0; x < width; x++, d += step)
                {
                    int r = Sample(row, 3 * x, depth), g = Sample(row, 3 * x + 1, depth), b = Sample(row, 3 * x + 2, depth);
                    int scale = depth == 16 ? 1 : 257;
                    output[d] = (ushort)(r * scale);
                    output[d + 1] = (ushort)(g * scale);
                    output[d + 2] = (ushort)(b * scale);
                    output[d + 3] = r == _redKey && g == _greenKey && b == _blueKey ? (ushort)0 : (ushort)65535;
                }
                return -1;
            default: // gray+alpha and RGBA, 8 or 16 bits
                int scale8 = depth == 16 ? 1 : 257;
                for (int x = 0, d = 0; x < width; x++, d += step)
                {
                    int first = channels * x;
                    if (channels == 2)
                    {
                        ushort g = (ushort)(Sample(row, first, depth) * scale8);
                        output[d] = g;
                        output[d + 1] = g;
                        output[d + 2] = g;
                        output[d + 3] = (ushort)(Sample(row, first + 1, depth) * scale8);
                    }
                    else
                    {
                        for (int k = 0; k < 4; k++)
                            output[d + k] = (ushort)(Sample(row, first + k, depth) * scale8);
                    }
                }
                return -1;
        }
    }

    /// <summary>Sample x of a row packed at 1, 2 or 4 bits, leftmost pixel in the high-order bits (§7.2).</summary>
    private static int SubByteSample(ReadOnlySpan<byte> row, int x, int depth)
    {
        int bit = x * depth;
        return (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    }

    private static int Sample16(ReadOnlySpan<byte> row, int sampleIndex) => row[2 * sampleIndex] << 8 | row[2 * sampleIndex + 1];

    private static int Sample(ReadOnlySpan<byte> row, int sampleIndex, int depth) => depth == 16 ? Sample16(row, sampleIndex) : row[sampleIndex];
}
