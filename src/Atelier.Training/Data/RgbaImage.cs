namespace Atelier.Training.Data;

/// <summary>An 8-bit RGBA raster with straight (not premultiplied) alpha, rows top to bottom: [H, W, 4].</summary>
public sealed class RgbaImage
{
    public RgbaImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}x{height}: both sides must be positive.");
        if (pixels.Length != checked(width * height * 4))
            throw new ArgumentException($"Image {width}x{height} needs {width * height * 4} RGBA bytes, got {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>[H, W, 4] bytes, R G B A.</summary>
    public byte[] Pixels { get; }
}
