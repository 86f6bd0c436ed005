using System.Buffers.Binary;

namespace Atelier.Formats.Images;

/// <summary>
/// The IHDR chunk (PNG specification §11.2.1): image size, bit depth, colour type and interlace method.
/// Compression and filter method are always 0 (the only ones defined) and are checked on reading.
/// </summary>
public sealed record PngHeader(int Width, int Height, int BitDepth, PngColorType ColorType, bool Interlaced)
{
    /// <summary>Samples per pixel: 1 gray or palette index, 2 gray+alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels => ColorType switch
    {
        PngColorType.Gray or PngColorType.Palette => 1,
        PngColorType.GrayAlpha => 2,
        PngColorType.Rgb => 3,
        _ => 4,
    };

    public int BitsPerPixel => BitDepth * Channels;

    /// <summary>The "bpp" of the filters (§7.3): bytes per complete pixel, rounded up to 1.</summary>
    public int FilterStride => Math.Max(1, BitsPerPixel / 8);

    /// <summary>Bytes of one scanline of the given width, without its filter-type byte.</summary>
    public long RowBytes(int width) => ((long)width * BitsPerPixel + 7) / 8;

    /// <summary>The sub-images that make up the image data: one for a non-interlaced image, seven for Adam7.</summary>
    public IReadOnlyList<PngPass> Passes() => PngPass.For(Width, Height, Interlaced);

    /// <summary>Total inflated size of the image data: every non-empty pass row with its filter-type byte.</summary>
    public long InflatedBytes()
    {
        long total = 0;
        foreach (var pass in Passes())
        {
            if (pass.Width > 0 && pass.Height > 0)
                total += pass.Height * (1 + RowBytes(pass.Width));
        }
        return total;
    }

    /// <summary>True for the combinations of Table 8 (§11.2.1).</summary>
    public static bool IsValidCombination(PngColorType colorType, int bitDepth) => colorType switch
    {
        PngColorType.Gray => bitDepth is 1 or 2 or 4 or 8 or 16,
        PngColorType.Palette => bitDepth is 1 or 2 or 4 or 8,
        PngColorType.Rgb or PngColorType.GrayAlpha or PngColorType.Rgba => bitDepth is 8 or 16,
        _ => false,
    };

    /// <summary>Parses and validates the 13 data bytes of IHDR; <paramref name="offset"/> locates the chunk for errors.</summary>
    internal static PngHeader Parse(ReadOnlySpan<byte> data, long offset, PngDecodeOptions options)
    {
        if (data.Length != 13)
            throw Error(offset, $"data is {data.Length} bytes; IHDR holds exactly 13.");
        uint width = BinaryPrimitives.ReadUInt32BigEndian(data);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(4));
        byte bitDepth = data[8], colorType = data[9], compression = data[10], filter = data[11], interlace = data[12];
        if (width == 0 || height == 0)
            throw Error(offset, $"image is {width}x{height}; width and height must be at least 1.");
        if (width > int.MaxValue || height > int.MaxValue)
            throw Error(offset, $"image is {width}x{height}; the PNG limit is 2^31-1 per side.");
        if (width > options.MaxWidth || height > options.MaxHeight)
            throw Error(offset, $"image is {width}x{height}; the limit is {options.MaxWidth}x{options.MaxHeight} (PngDecodeOptions.MaxWidth/MaxHeight).");
        if (colorType is not (0 or 2 or 3 or 4 or 6))
            throw Error(offset, $"colour type {colorType} is not defined; expected 0 (gray), 2 (RGB), 3 (palette), 4 (gray+alpha) or 6 (RGBA).");
        if (!IsValidCombination((PngColorType)colorType, bitDepth))
            throw Error(offset, $"bit depth {bitDepth} is not allowed for colour type {colorType} ({(PngColorType)colorType}); allowed: {AllowedDepths((PngColorType)colorType)}.");
        if (compression != 0)
            throw Error(offset, $"compression method {compression} is not defined; expected 0 (deflate).");
        if (filter != 0)
            throw Error(offset, $"filter method {filter} is not defined; expected 0 (adaptive, five filter types).");
        if (interlace > 1)
            throw Error(offset, $"interlace method {interlace} is not defined; expected 0 (none) or 1 (Adam7).");
        return new PngHeader((int)width, (int)height, bitDepth, (PngColorType)colorType, interlace == 1);
    }

    internal void WriteTo(Span<byte> data)
    {
        BinaryPrimitives.WriteUInt32BigEndian(data, (uint)Width);
        BinaryPrimitives.WriteUInt32BigEndian(data.Slice(4), (uint)Height);
        data[8] = (byte)BitDepth;
        data[9] = (byte)ColorType;
        data[10] = 0;
        data[11] = 0;
        data[12] = Interlaced ? (byte)1 : (byte)0;
    }

    private static string AllowedDepths(PngColorType colorType) => colorType switch
    {
        PngColorType.Gray => "1, 2, 4, 8, 16",
        PngColorType.Palette => "1, 2, 4, 8",
        _ => "8, 16",
    };

    private static PngFormatException Error(long offset, string problem) => new("IHDR", offset, problem);
}
