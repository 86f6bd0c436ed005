using Atelier.Formats.Images;

namespace Atelier.Training.Trainer;

/// <summary>
/// An RGB raster with the few primitives a line plot needs: filled rectangles, anti-aliased lines (Xiaolin Wu's
/// algorithm, blended over what is there) and text in <see cref="PlotFont"/>. Coordinates are pixels, y down.
/// </summary>
internal sealed class PlotCanvas
{
    public PlotCanvas(int width, int height, (byte R, byte G, byte B) background)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"plot canvas: {width}x{height} is not a valid size.");
        Image = new Image(width, height, 3);
        FillRectangle(0, 0, width, height, background);
    }

    public Image Image { get; }
    public int Width => Image.Width;
    public int Height => Image.Height;

    public void FillRectangle(int x, int y, int width, int height, (byte R, byte G, byte B) color)
    {
        for (int j = Math.Max(0, y); j < Math.Min(Height, y + height); j++)
            for (int i = Math.Max(0, x); i < Math.Min(Width, x + width); i++)
                Blend(i, j, color, 1);
    }

    /// <summary>An anti-aliased line from (x0, y0) to (x1, y1).</summary>
    public void Line(double x0, double y0, double x1, double y1, (byte R, byte G, byte B) color)
    {
        bool steep = Math.Abs(y1 - y0) > Math.Abs(x1 - x0);
        if (steep) { (x0, y0) = (y0, x0); (x1, y1) = (y1, x1); }
        if (x0 > x1) { (x0, x1) = (x1, x0); (y0, y1) = (y1, y0); }
        double dx = x1 - x0, dy = y1 - y0;
        double gradient = dx == 0 ? 1 : dy / dx;
        int start = (int)Math.Round(x0), end = (int)Math.Round(x1);
        double y = y0 + gradient * (start - x0);
        for (int x = start; x <= end; x++, y += gradient)
        {
            int yi = (int)Math.Floor(y);
            float fraction = (float)(y - yi);
            Plot(x, yi, 1 - fraction);
            Plot(x, yi + 1, fraction);
        }

        void Plot(int a, int b, float coverage)
        {
            if (steep) Blend(b, a, color, coverage);
            else Blend(a, b, color, coverage);
        }
    }

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y).</summary>
    public void Text(int x, int y, string text, (byte R, byte G, byte B) color)
    {
        for (int k = 0; k < text.Length; k++)
            for (int j = 0; j < PlotFont.Height; j++)
                for (int i = 0; i < PlotFont.Width; i++)
                    if (PlotFont.Ink(text[k], i, j))
                        Blend(x + k * PlotFont.Advance + i, y + j, color, 1);
    }

    private void Blend(int x, int y, (byte R, byte G, byte B) color, float alpha)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || alpha <= 0) return;
        alpha = Math.Min(alpha, 1);
        Span<byte> px = Image.Row(y).Slice(x * 3, 3);
        px[0] = (byte)Math.Round(px[0] + (color.R - px[0]) * alpha);
        px[1] = (byte)Math.Round(px[1] + (color.G - px[1]) * alpha);
        px[2] = (byte)Math.Round(px[2] + (color.B - px[2]) * alpha);
    }
}
