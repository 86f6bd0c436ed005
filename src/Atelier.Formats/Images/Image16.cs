namespace Atelier.Formats.Images;

/// <summary>
/// A 16-bit image, laid out like <see cref="Image"/> with ushort samples (0–65535). The decoder returns one when the
/// caller asks for 16-bit data; <see cref="ToImage"/> reduces it as the 8-bit decoder does.
/// </summary>
public sealed class Image16
{
    public Image16(int width, int height, int channels)
        : this(width, height, channels, new ushort[Image.CheckedLength(width, height, channels)])
    {
    }

    /// <summary>Wraps <paramref name="samples"/> (not copied); its length must be width × height × channels.</summary>
    public Image16(int width, int height, int channels, ushort[] samples)
    {
        long expected = Image.CheckedLength(width, height, channels);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Length != expected)
            throw new ArgumentException($"Image16 {width}x{height}x{channels}: sample buffer has {samples.Length} values; expected {expected}.", nameof(samples));
        Width = width;
        Height = height;
        Channels = channels;
        Samples = samples;
    }

    public int Width { get; }

    public int Height { get; }

    public int Channels { get; }

    /// <summary>[H, W, C] interleaved samples.</summary>
    public ushort[] Samples { get; }

    /// <summary>8-bit copy, each sample round(v · 255 / 65535).</summary>
    public Image ToImage()
    {
        var result = new Image(Width, Height, Channels);
        for (int i = 0; i < Samples.Length; i++)
            result.Pixels[i] = PngRowExpander.Reduce16(Samples[i]);
        return result;
    }

    public override string ToString() => $"Image16 {Width}x{Height}x{Channels}";
}
