namespace Atelier.Formats.Images;

/// <summary>
/// Conversions between gray, gray+alpha, RGB and RGBA. Gray from colour uses the ITU-R BT.601 luma weights
/// L = (299 R + 587 G + 114 B) / 1000, rounded, as PIL's "L" mode does; alpha is dropped without compositing by
/// <see cref="ToRgb"/> and <see cref="ToGray"/> (use <see cref="ImageCompositing.CompositeOver"/> to flatten), and added
/// as 255 (opaque) when the source has none.
/// </summary>
public static class ImageChannelConversion
{
    public static Image ToRgba(this Image image) => image.ToChannels(4);

    public static Image ToRgb(this Image image) => image.ToChannels(3);

    public static Image ToGray(this Image image) => image.ToChannels(1);

    public static Image ToGrayAlpha(this Image image) => image.ToChannels(2);

    /// <summary>A copy with the given channel count (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA); the same count copies.</summary>
    public static Image ToChannels(this Image image, int channels)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new Image(image.Width, image.Height, channels);
        if (channels == image.Channels)
        {
            image.Pixels.CopyTo(result.Pixels, 0);
            return result;
        }
        ReadOnlySpan<byte> source = image.Pixels;
        Span<byte> target = result.Pixels;
        int from = image.Channels, pixels = image.Width * image.Height;
        for (int i = 0, s = 0, t = 0; i < pixels; i++, s += from, t += channels)
        {
            byte alpha = from is 2 or 4 ? source[s + from - 1] : (byte)255;
            if (channels >= 3)
            {
                bool color = from >= 3;
                target[t] = source[s];
                target[t + 1] = color ? source[s + 1] : source[s];
                target[t + 2] = color ? source[s + 2] : source[s];
            }
            else
            {
                target[t] = from >= 3 ? Luma(source[s], source[s + 1], source[s + 2]) : source[s];
            }
            if (channels is 2 or 4)
                target[t + channels - 1] = alpha;
        }
        return result;
    }

    /// <summary>BT.601 luma, rounded to nearest: (299 R + 587 G + 114 B + 500) / 1000.</summary>
    public static byte Luma(byte r, byte g, byte b) => (byte)((299 * r + 587 * g + 114 * b + 500) / 1000);
}
