namespace Atelier.Formats.Images;

/// <summary>
/// One sub-image of the image data: the pixels at (XStart + i·XStep, YStart + j·YStep). A non-interlaced image is a
/// single pass with steps 1; Adam7 (PNG specification §8.2) has seven, some of which are empty for small images.
/// </summary>
public readonly record struct PngPass(int XStart, int YStart, int XStep, int YStep, int Width, int Height)
{
    // Adam7 pass origins and steps, §8.2, Figure 8.
    private static ReadOnlySpan<byte> Adam7XStart => [0, 4, 0, 2, 0, 1, 0];
    private static ReadOnlySpan<byte> Adam7YStart => [0, 0, 4, 0, 2, 0, 1];
    private static ReadOnlySpan<byte> Adam7XStep => [8, 8, 4, 4, 2, 2, 1];
    private static ReadOnlySpan<byte> Adam7YStep => [8, 8, 8, 4, 4, 2, 2];

    public static PngPass[] For(int width, int height, bool interlaced)
    {
        if (!interlaced)
            return [new PngPass(0, 0, 1, 1, width, height)];
        var passes = new PngPass[7];
        for (int p = 0; p < 7; p++)
        {
            int x0 = Adam7XStart[p], y0 = Adam7YStart[p], dx = Adam7XStep[p], dy = Adam7YStep[p];
            passes[p] = new PngPass(x0, y0, dx, dy, Count(width, x0, dx), Count(height, y0, dy));
        }
        return passes;
    }

    private static int Count(int size, int start, int step) => size > start ? (size - start + step - 1) / step : 0;
}
