using Atelier.Tensors;
using Atelier.Training.Pipeline;

namespace Atelier.Training.Tests.Pipeline;

public class PipelineTests
{
    private static byte[] Gradient(int size) =>
        Enumerable.Range(0, size * size * 3).Select(i => (byte)(i * 7 % 256)).ToArray();

    [Fact]
    public void Batch_converts_bytes_to_planar_minus_one_to_one()
    {
        var set = DecodedImageSet.FromRgb([Gradient(4), new byte[48]], 4);
        Tensor batch = set.Batch([1, 0]);
        Assert.Equal(new Shape(2, 3, 4, 4), batch.Shape);
        Assert.Equal(-1f, batch[0, 2, 3, 3]);
        byte[] g = Gradient(4);
        Assert.Equal(g[(2 * 4 + 1) * 3 + 1] * 2f / 255f - 1f, batch[1, 1, 2, 1], 6);
    }

    [Fact]
    public void Identity_shift_scale_equals_the_plain_conversion_and_integer_shifts_move_pixels()
    {
        byte[] image = Gradient(8);
        var plain = DecodedImageSet.FromRgb([image], 8).Batch([0]).ToFloatArray();
        var same = new float[plain.Length];
        RandomShiftScale.Transform(image, 8, same, 1f, 0f, 0f);
        Assert.Equal(plain, same);

        var shifted = new float[plain.Length];
        RandomShiftScale.Transform(image, 8, shifted, 1f, 2f, -1f);   // content moves right 2, up 1
        Assert.Equal(plain[(1 * 8 + 3) + 64], shifted[(0 * 8 + 5) + 64], 5);
        Assert.Equal(1f, shifted[7 * 8 + 0]);                           // uncovered pixels are white
    }

    [Fact]
    public void Augmentation_draws_from_the_generator_reproducibly()
    {
        var set = DecodedImageSet.FromRgb([Gradient(8), Gradient(8)], 8);
        var aug = new RandomShiftScale();
        float[] a = set.Batch([0, 1], aug, new TorchGenerator(5)).ToFloatArray();
        float[] b = set.Batch([0, 1], aug, new TorchGenerator(5)).ToFloatArray();
        float[] c = set.Batch([0, 1], aug, new TorchGenerator(6)).ToFloatArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Throws<ArgumentNullException>(() => set.Batch([0], aug));
    }

    [Fact]
    public void Caption_augmentation_appends_new_tags_only()
    {
        var aug = new CaptionAugmentation(probability: 1f, maxExtraTags: 2);
        var g = new TorchGenerator(1);
        for (int i = 0; i < 20; i++)
        {
            string caption = aug.Augment("pizza, noto style, cheese", ["cheese", "food", "slice", "italian"], g);
            Assert.StartsWith("pizza, noto style, cheese, ", caption);
            string[] extra = caption["pizza, noto style, cheese, ".Length..].Split(", ");
            Assert.InRange(extra.Length, 1, 2);
            Assert.DoesNotContain("cheese", extra);
            Assert.Equal(extra.Length, extra.Distinct().Count());
        }
        Assert.Equal("pizza", new CaptionAugmentation(probability: 0f).Augment("pizza", ["food"], g));
    }
}
