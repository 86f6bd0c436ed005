namespace Atelier.Formats.Images;

/// <summary>
/// Images to and from planar float data [C, H, W], the layout of image tensors. Conversions follow diffusers'
/// VaeImageProcessor so that tensors match the reference bit for bit: in, x = v / 255f then 2x − 1 in float32; out,
/// clamp to [0, 1] (after x / 2 + 0.5 for [−1, 1]), then round(x · 255) with ties to even (numpy's round). NaN becomes 0.
/// </summary>
public static class ImageChw
{
    /// <summary>New array [C, H, W] holding the image's samples in <paramref name="range"/>.</summary>
    public static float[] ToChw(this Image image, SampleRange range)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new float[image.Pixels.Length];
        ToChw(image, range, result);
        return result;
    }

    /// <summary>Writes [C, H, W] floats to <paramref name="destination"/> (length C·H·W).</summary>
    public static void ToChw(this Image image, SampleRange range, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        int channels = image.Channels, plane = image.Width * image.Height;
        if (destination.Length != image.Pixels.Length)
            throw new ArgumentException($"ToChw: destination has {destination.Length} floats; {image} needs [{channels}, {image.Height}, {image.Width}] = {image.Pixels.Length}.", nameof(destination));
        ReadOnlySpan<byte> pixels = image.Pixels;
        for (int c = 0; c < channels; c++)
        {
            var target = destination.Slice(c * plane, plane); // [H, W] plane of channel c
            for (int i = 0, s = c; i < plane; i++, s += channels)
            {
                float x = pixels[s] / 255f;
                target[i] = range == SampleRange.ZeroToOne ? x : 2f * x - 1f;
            }
        }
    }

    /// <summary>An image from [C, H, W] floats in <paramref name="range"/>; values outside the range are clamped.</summary>
    public static Image FromChw(ReadOnlySpan<float> chw, int channels, int height, int width, SampleRange range)
    {
        var image = new Image(width, height, channels);
        if (chw.Length != image.Pixels.Length)
            throw new ArgumentException($"FromChw: {chw.Length} floats for [{channels}, {height}, {width}]; expected {image.Pixels.Length}.", nameof(chw));
        int plane = width * height;
        Span<byte> pixels = image.Pixels;
        for (int c = 0; c < channels; c++)
        {
            var source = chw.Slice(c * plane, plane); // [H, W] plane of channel c
            for (int i = 0, t = c; i < plane; i++, t += channels)
            {
                float x = range == SampleRange.ZeroToOne ? source[i] : source[i] / 2f + 0.5f;
                x = float.IsNaN(x) ? 0f : Math.Clamp(x, 0f, 1f);
                pixels[t] = (byte)MathF.Round(x * 255f, MidpointRounding.ToEven);
            }
        }
        return image;
    }
}
