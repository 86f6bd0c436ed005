namespace Atelier.Formats.Images;

/// <summary>Flattening an image with alpha onto a solid background colour.</summary>
public static class ImageCompositing
{
    /// <summary>
    /// The image "over" an opaque background (Porter–Duff), as RGB: out = round((c · a + bg · (255 − a)) / 255) per channel,
    /// on the stored (sRGB-encoded) values as browsers and PIL do. Images without alpha are converted to RGB unchanged.
    /// </summary>
    public static Image CompositeOver(this Image image, byte red, byte green, byte blue)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!image.HasAlpha)
            return image.ToRgb();
        var rgba = image.Channels == 4 ? image : image.ToRgba();
        var result = new Image(image.Width, image.Height, 3);
        ReadOnlySpan<byte> source = rgba.Pixels;
        Span<byte> target = result.Pixels;
        Span<byte> background = [red, green, blue];
        for (int s = 0, t = 0; s < source.Length; s += 4, t += 3)
        {
            int a = source[s + 3];
            for (int c = 0; c < 3; c++)
                target[t + c] = (byte)((source[s + c] * a + background[c] * (255 - a) + 127) / 255); // round(x / 255) for integer x
        }
        return result;
    }
}
