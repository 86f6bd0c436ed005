namespace Atelier.Training.Data;

/// <summary>
/// Frames clip art like the emoji sets (survey, "OpenClipart"): rendered at 256 px the drawing often fills a fraction
/// of its page, so the image is cropped to the bounding box of its visible pixels, padded to a square with a margin
/// like the emoji sets' 2–4 px, and downscaled to 64x64 by area averaging in premultiplied alpha. Plain loops: these
/// are a few thousand 256 px images in an offline build, not a hot path.
/// </summary>
public static class ClipArtFraming
{
    /// <summary>Pixels with alpha at or below this are treated as empty page (anti-aliasing dust).</summary>
    public const byte AlphaThreshold = 8;

    /// <summary>Margin on each side as a fraction of the padded square (survey: "~6% padding").</summary>
    public const double Margin = 0.06;

    /// <summary>Crop, pad and downscale; null when the drawing has no visible pixel.</summary>
    public static RgbaImage? Frame(RgbaImage page, int size)
    {
        (int x0, int y0, int x1, int y1)? box = VisibleBounds(page);
        if (box is null)
            return null;
        (int left, int top, int right, int bottom) = box.Value;
        int w = right - left, h = bottom - top;
        int side = (int)Math.Ceiling(Math.Max(w, h) / (1 - 2 * Margin));
        var square = new byte[side * side * 4];
        int offsetX = (side - w) / 2, offsetY = (side - h) / 2;
        for (int y = 0; y < h; y++)
            Buffer.BlockCopy(page.Pixels, ((top + y) * page.Width + left) * 4, square, ((offsetY + y) * side + offsetX) * 4, w * 4);
        return Downscale(new RgbaImage(side, side, square), size);
    }

    /// <summary>[left, top, right, bottom) of pixels with alpha above <see cref="AlphaThreshold"/>, or null.</summary>
    public static (int Left, int Top, int Right, int Bottom)? VisibleBounds(RgbaImage image)
    {
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                if (image.Pixels[(y * image.Width + x) * 4 + 3] <= AlphaThreshold)
                    continue;
                left = Math.Min(left, x);
                right = Math.Max(right, x);
                top = Math.Min(top, y);
                bottom = Math.Max(bottom, y);
            }
        }
        return right < 0 ? null : (left, top, right + 1, bottom + 1);
    }

    /// <summary>Area-average resample of a square image to <paramref name="size"/> (any source size ≥ 1).</summary>
    public static RgbaImage Downscale(RgbaImage square, int size)
    {
        int n = square.Width;
        double scale = (double)n / size;
        var output = new byte[size * size * 4];
        for (int oy = 0; oy < size; oy++)
        {
            for (int ox = 0; ox < size; ox++)
            {
                double r = 0, g = 0, b = 0, a = 0, area = 0;
                double sy0 = oy * scale, sy1 = (oy + 1) * scale, sx0 = ox * scale, sx1 = (ox + 1) * scale;
                for (int sy = (int)sy0; sy < Math.Min(n, (int)Math.Ceiling(sy1)); sy++)
                {
                    double wy = Math.Min(sy + 1, sy1) - Math.Max(sy, sy0);
                    for (int sx = (int)sx0; sx < Math.Min(n, (int)Math.Ceiling(sx1)); sx++)
                    {
                        double weight = wy * (Math.Min(sx + 1, sx1) - Math.Max(sx, sx0));
                        int p = (sy * n + sx) * 4;
                        double alpha = square.Pixels[p + 3] / 255.0;
                        r += weight * alpha * square.Pixels[p];
                        g += weight * alpha * square.Pixels[p + 1];
                        b += weight * alpha * square.Pixels[p + 2];
                        a += weight * alpha;
                        area += weight;
                    }
                }
                int o = (oy * size + ox) * 4;
                if (a > 0)
                {
                    output[o] = (byte)Math.Clamp(Math.Round(r / a), 0, 255);
                    output[o + 1] = (byte)Math.Clamp(Math.Round(g / a), 0, 255);
                    output[o + 2] = (byte)Math.Clamp(Math.Round(b / a), 0, 255);
                }
                output[o + 3] = (byte)Math.Clamp(Math.Round(255 * a / area), 0, 255);
            }
        }
        return new RgbaImage(size, size, output);
    }
}
