using Atelier.Formats.Images;

namespace Atelier.Formats.Tests.Images;

public class ImageResizeTests
{
    private static readonly ResizeFilter[] s_filters = Enum.GetValues<ResizeFilter>();

    [Fact]
    public void Constant_image_stays_constant_for_every_filter_and_direction()
    {
        var image = new Image(13, 7, 3);
        for (int i = 0; i < image.Pixels.Length; i += 3)
            (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]) = (200, 17, 99);
        foreach (var filter in s_filters)
        {
            foreach (var (w, h) in new[] { (4, 3), (13, 7), (30, 20), (1, 1), (5, 19) })
            {
                var resized = image.Resize(w, h, filter);
                Assert.Equal((w, h, 3), (resized.Width, resized.Height, resized.Channels));
                for (int i = 0; i < resized.Pixels.Length; i += 3)
                    Assert.Equal((200, 17, 99), (resized.Pixels[i], resized.Pixels[i + 1], resized.Pixels[i + 2]));
            }
        }
    }

    [Fact]
    public void Area_halving_averages_2x2_blocks()
    {
        var image = TestImages.Noise(8, 6, 1, 3);
        var half = image.Resize(4, 3, ResizeFilter.Area);
        for (int y = 0; y < 3; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                int sum = image.Pixels[2 * y * 8 + 2 * x] + image.Pixels[2 * y * 8 + 2 * x + 1] + image.Pixels[(2 * y + 1) * 8 + 2 * x] + image.Pixels[(2 * y + 1) * 8 + 2 * x + 1];
                Assert.Equal(Math.Round(sum / 4.0, MidpointRounding.ToEven), half.Pixels[y * 4 + x]);
            }
        }
    }

    [Fact]
    public void Area_with_a_fractional_factor_weights_by_coverage()
    {
        // 3 → 2: output 0 covers [0, 1.5): (a + b/2) / 1.5; output 1 covers [1.5, 3): (b/2 + c) / 1.5.
        var image = new Image(3, 1, 1, [0, 90, 210]);
        Assert.Equal(new byte[] { 30, 170 }, image.Resize(2, 1, ResizeFilter.Area).Pixels);
    }

    [Fact]
    public void Bilinear_and_bicubic_reproduce_a_linear_ramp_inside_the_image()
    {
        // A ramp 0, 20, 40, ... enlarged 2x: pixel centres at (j + 0.5)/2 − 0.5, so output j is 20·(j/2 − 0.25) = 10j − 5.
        var image = new Image(8, 1, 1, Enumerable.Range(0, 8).Select(i => (byte)(20 * i)).ToArray());
        foreach (var filter in new[] { ResizeFilter.Bilinear, ResizeFilter.Bicubic, ResizeFilter.Auto })
        {
            var resized = image.Resize(16, 1, filter);
            for (int j = 3; j < 13; j++)
                Assert.Equal(10 * j - 5, resized.Pixels[j]);
        }
    }

    [Fact]
    public void Transparent_colour_does_not_bleed_into_visible_pixels()
    {
        // Left half opaque blue, right half fully transparent red: every visible output pixel stays pure blue.
        var image = new Image(4, 2, 4);
        for (int y = 0; y < 2; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                byte[] pixel = x < 2 ? [0, 0, 255, 255] : [255, 0, 0, 0];
                pixel.CopyTo(image.Pixels, (y * 4 + x) * 4);
            }
        }
        foreach (var filter in s_filters)
        {
            foreach (var (w, h) in new[] { (2, 1), (3, 2), (9, 5) })
            {
                var resized = image.Resize(w, h, filter);
                for (int i = 0; i < resized.Pixels.Length; i += 4)
                {
                    if (resized.Pixels[i + 3] > 0)
                        Assert.Equal((0, 0, 255), (resized.Pixels[i], resized.Pixels[i + 1], resized.Pixels[i + 2]));
                }
            }
        }
    }

    [Fact]
    public void Same_size_with_auto_is_a_copy()
    {
        var image = TestImages.Noise(6, 5, 4, 8);
        var copy = image.Resize(6, 5);
        Assert.True(image.PixelsEqual(copy));
        Assert.NotSame(image.Pixels, copy.Pixels);
        Assert.True(image.PixelsEqual(image.Resize(6, 5, ResizeFilter.Area)));
    }
}
