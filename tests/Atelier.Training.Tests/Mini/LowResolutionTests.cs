using Atelier.Tensors;
using Atelier.Training.Mini;

namespace Atelier.Training.Tests.Mini;

public class LowResolutionTests
{
    [Fact]
    public void Downsample_averages_each_two_by_two_block()
    {
        float[] x = Enumerable.Range(0, 2 * 4 * 4).Select(i => (float)i).ToArray();
        Tensor y = LowResolution.Downsample(Tensor.FromArray(x, [1, 2, 4, 4]));
        Assert.Equal(new Shape(1, 2, 2, 2), y.Shape);
        Assert.Equal((0 + 1 + 4 + 5) / 4f, y[0, 0, 0, 0]);
        Assert.Equal((26 + 27 + 30 + 31) / 4f, y[0, 1, 1, 1]);
        Assert.Throws<TensorShapeException>(() => LowResolution.Downsample(Tensor.Zeros([1, 3, 5, 4])));
    }

    [Fact]
    public void Degrade_is_seeded_bounded_and_keeps_flat_images_nearly_flat()
    {
        Tensor flat = Tensor.Full([4, 3, 8, 8], 0.25f);
        float[] a = LowResolution.Degrade(flat, new TorchGenerator(3)).ToFloatArray();
        float[] b = LowResolution.Degrade(flat, new TorchGenerator(3)).ToFloatArray();
        float[] c = LowResolution.Degrade(flat, new TorchGenerator(4)).ToFloatArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        // A blur leaves a flat plane flat; the noise is at most MaxNoise standard deviations (5σ bound).
        Assert.All(a, v => Assert.InRange(v, 0.25f - 5 * LowResolution.MaxNoise, 0.25f + 5 * LowResolution.MaxNoise));
        Assert.Contains(a, v => v != 0.25f);
    }

    [Fact]
    public void Blur_spreads_a_point_symmetrically_and_keeps_its_mass()
    {
        var plane = new float[7 * 7];
        plane[3 * 7 + 3] = 1f;
        LowResolution.Blur(plane, 7, 7, 0.8f, new float[49]);
        Assert.Equal(1f, plane.Sum(), 4);
        Assert.Equal(plane[3 * 7 + 2], plane[3 * 7 + 4], 6);
        Assert.Equal(plane[2 * 7 + 3], plane[4 * 7 + 3], 6);
        Assert.True(plane[3 * 7 + 3] < 1f && plane[3 * 7 + 3] > plane[3 * 7 + 4]);
    }
}
