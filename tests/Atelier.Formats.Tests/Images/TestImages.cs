using Atelier.Formats.Images;

namespace Atelier.Formats.Tests.Images;

/// <summary>Deterministic test images.</summary>
internal static class TestImages
{
    /// <summary>Uniform random samples: the worst case for filters and compression.</summary>
    public static Image Noise(int width, int height, int channels, int seed)
    {
        var image = new Image(width, height, channels);
        new Random(seed).NextBytes(image.Pixels);
        return image;
    }

    /// <summary>Smooth gradients with a little noise: what filters are designed for.</summary>
    public static Image Gradient(int width, int height, int channels, int seed)
    {
        var random = new Random(seed);
        var image = new Image(width, height, channels);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    int value = (x * 255 / Math.Max(1, width - 1) + y * 3 * (c + 1) + random.Next(-3, 4)) & 0xFF;
                    image.Pixels[(y * width + x) * channels + c] = (byte)value;
                }
            }
        }
        return image;
    }
}
