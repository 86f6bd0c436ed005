namespace Atelier.Formats.Images;

/// <summary>
/// An 8-bit image: <see cref="Width"/> × <see cref="Height"/> pixels of <see cref="Channels"/> interleaved samples,
/// rows top to bottom without padding. Channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (alpha straight, not
/// premultiplied). Samples are sRGB-encoded as stored in the file; nothing here linearises them.
/// A class rather than a record: equality of two images is a pixel comparison the caller asks for explicitly.
/// </summary>
public sealed class Image
{
    /// <summary>A zero-filled image (transparent black when it has alpha).</summary>
    public Image(int width, int height, int channels)
        : this(width, height, channels, new byte[CheckedLength(width, height, channels)])
    {
    }

    /// <summary>Wraps <paramref name="pixels"/> (not copied); its length must be width × height × channels.</summary>
    public Image(int width, int height, int channels, byte[] pixels)
    {
        long expected = CheckedLength(width, height, channels);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != expected)
            throw new ArgumentException($"Image {width}x{height}x{channels}: pixel buffer has {pixels.Length} bytes; expected {expected}.", nameof(pixels));
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels { get; }

    /// <summary>[H, W, C] interleaved samples.</summary>
    public byte[] Pixels { get; }

    /// <summary>Bytes per row.</summary>
    public int Stride => Width * Channels;

    public bool HasAlpha => Channels is 2 or 4;

    public bool IsColor => Channels >= 3;

    public Span<byte> Row(int y)
    {
        if ((uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(y), y, $"Image has {Height} rows.");
        return Pixels.AsSpan(y * Stride, Stride);
    }

    public Image Clone() => new(Width, Height, Channels, (byte[])Pixels.Clone());

    /// <summary>True when both images have the same size, channel count and samples.</summary>
    public bool PixelsEqual(Image other)
        => Width == other.Width && Height == other.Height && Channels == other.Channels && Pixels.AsSpan().SequenceEqual(other.Pixels);

    public override string ToString() => $"Image {Width}x{Height}x{Channels}";

    internal static int CheckedLength(int width, int height, int channels)
    {
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}x{height}: width and height must be at least 1.");
        if (channels is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Image channels must be 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA).");
        long length = (long)width * height * channels;
        if (length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"Image {width}x{height}x{channels} needs {length} samples; the limit is {Array.MaxLength}.");
        return (int)length;
    }
}
