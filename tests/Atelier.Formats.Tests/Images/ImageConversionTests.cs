using Atelier.Formats.Images;

namespace Atelier.Formats.Tests.Images;

public class ImageConversionTests
{
    [Fact]
    public void Image_checks_its_buffer()
    {
        Assert.Throws<ArgumentException>(() => new Image(2, 2, 3, new byte[11]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Image(0, 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Image(2, 2, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Image(65536, 65536, 4));
        var image = new Image(3, 2, 2);
        Assert.Equal(6, image.Stride);
        Assert.Equal(6, image.Row(1).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Row(2));
    }

    [Fact]
    public void Gray_uses_bt601_luma_like_pil()
    {
        // PIL: Image.new("RGB", (1, 1), c).convert("L") gives 76, 150, 29, 255, 0 for red, green, blue, white, black.
        var rgb = new Image(5, 1, 3, [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0]);
        Assert.Equal(new byte[] { 76, 150, 29, 255, 0 }, rgb.ToGray().Pixels);
    }

    [Fact]
    public void Channel_conversions_replicate_gray_and_keep_or_add_alpha()
    {
        var grayAlpha = new Image(2, 1, 2, [10, 20, 30, 40]);
        Assert.Equal(new byte[] { 10, 10, 10, 20, 30, 30, 30, 40 }, grayAlpha.ToRgba().Pixels);
        Assert.Equal(new byte[] { 10, 10, 10, 30, 30, 30 }, grayAlpha.ToRgb().Pixels);
        var rgb = new Image(1, 1, 3, [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3, 255 }, rgb.ToRgba().Pixels);
        Assert.Equal(new byte[] { 2, 255 }, rgb.ToGrayAlpha().Pixels);
        var rgba = new Image(1, 1, 4, [9, 8, 7, 6]);
        Assert.Equal(new byte[] { 9, 8, 7 }, rgba.ToRgb().Pixels);
        Assert.Equal(new byte[] { 8, 6 }, rgba.ToGrayAlpha().Pixels);
        Assert.Equal(rgba.Pixels, rgba.ToRgba().Pixels);
        Assert.NotSame(rgba.Pixels, rgba.ToRgba().Pixels);
    }

    [Fact]
    public void Composite_over_background_rounds_to_nearest()
    {
        // (200·128 + 10·127) / 255 = 105.39 → 105; (0·128 + 255·127) / 255 = 127; alpha 0 gives the background, 255 the colour.
        var rgba = new Image(3, 1, 4, [200, 0, 50, 128, 1, 2, 3, 0, 4, 5, 6, 255]);
        var flat = rgba.CompositeOver(10, 255, 50);
        Assert.Equal(3, flat.Channels);
        Assert.Equal(new byte[] { 105, 127, 50, 10, 255, 50, 4, 5, 6 }, flat.Pixels);
        var gray = new Image(1, 1, 2, [100, 51]);
        Assert.Equal(new byte[] { 224, 224, 224 }, gray.CompositeOver(255, 255, 255).Pixels); // (100·51 + 255·204) / 255 = 224.49
        var opaque = new Image(1, 1, 1, [7]);
        Assert.Equal(new byte[] { 7, 7, 7 }, opaque.CompositeOver(0, 0, 0).Pixels);
    }

    [Fact]
    public void Chw_round_trips_in_both_ranges_and_orders_planes()
    {
        var image = TestImages.Noise(5, 3, 3, 1);
        foreach (var range in Enum.GetValues<SampleRange>())
        {
            var chw = image.ToChw(range);
            Assert.True(image.PixelsEqual(ImageChw.FromChw(chw, 3, 3, 5, range)), range.ToString());
        }
        var two = new Image(2, 1, 3, [0, 51, 255, 255, 102, 0]);
        Assert.Equal(new[] { 0f, 1f, 0.2f, 0.4f, 1f, 0f }, two.ToChw(SampleRange.ZeroToOne));
        Assert.Equal(new[] { -1f, 1f }, new Image(2, 1, 1, [0, 255]).ToChw(SampleRange.MinusOneToOne));
    }

    [Fact]
    public void From_chw_clamps_rounds_half_to_even_and_maps_nan_to_zero()
    {
        // 0.5/255·255 = 0.5 → 0 (even), 1.5 → 2, 2.5 → 2.
        float[] values = [-3f, 7f, float.NaN, 0.5f / 255f, 1.5f / 255f, 2.5f / 255f];
        var image = ImageChw.FromChw(values, 1, 1, 6, SampleRange.ZeroToOne);
        Assert.Equal(new byte[] { 0, 255, 0, 0, 2, 2 }, image.Pixels);
        Assert.Equal(new byte[] { 0, 128, 255 }, ImageChw.FromChw([-1f, 0f, 1f], 1, 1, 3, SampleRange.MinusOneToOne).Pixels);
        Assert.Throws<ArgumentException>(() => ImageChw.FromChw(new float[5], 1, 2, 3, SampleRange.ZeroToOne));
    }
}
