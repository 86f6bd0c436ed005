using Atelier.Models.Mini;
using Atelier.Tensors;

namespace Atelier.Models.Tests.Mini;

public class MiniUpsamplerTests
{
    [Fact]
    public void Pixel_shuffle_places_channel_c_i_j_at_sub_pixel_i_j()
    {
        const int c = 2, f = 3, s = 2;
        var values = Enumerable.Range(0, c * f * f * s * s).Select(i => (float)i).ToArray();
        Tensor x = Tensor.FromArray(values, [1, c * f * f, s, s]);
        Tensor y = MiniUpsampler.PixelShuffle(x, c, f);
        Assert.Equal(new Shape(1, c, s * f, s * f), y.Shape);
        for (int ch = 0; ch < c; ch++)
            for (int h = 0; h < s * f; h++)
                for (int w = 0; w < s * f; w++)
                {
                    int source = ch * f * f + (h % f) * f + (w % f);
                    Assert.Equal(x[0, source, h / f, w / f], y[0, ch, h, w]);
                }
    }

    [Fact]
    public void Fresh_weights_enlarge_by_nearest_neighbour()
    {
        var config = MiniUpsamplerConfig.Tiny;
        var model = new MiniUpsampler(config);
        model.InitializeWeights(new TorchGenerator(1));
        Tensor x = MiniTestData.Randn(new TorchGenerator(2), 2, 3, config.InputSize, config.InputSize);
        Assert.Equal(x.UpsampleNearest(2).ToFloatArray(), model.Forward(x).ToFloatArray());
    }

    [Fact]
    public void Gradients_reach_every_parameter_and_shapes_are_checked()
    {
        var config = MiniUpsamplerConfig.Tiny;
        var model = RandomWeights.Initialize(new MiniUpsampler(config), 3);
        MiniTestData.RequireGrad(model);
        Tensor x = MiniTestData.Randn(new TorchGenerator(4), 2, 3, config.InputSize, config.InputSize);
        using (TensorScope.Begin())
        {
            Tensor y = model.Forward(x);
            Assert.Equal(new Shape(2, 3, 2 * config.InputSize, 2 * config.InputSize), y.Shape);
            y.Square().Mean().Backward();
        }
        MiniTestData.AssertEveryParameterHasGradient(model);
        Assert.Throws<TensorShapeException>(() => model.Forward(Tensor.Zeros([1, 3, 5, 5])));
        Assert.Equal(config, MiniUpsamplerConfig.FromJson(config.ToJson(), "upsampler.json"));
    }
}
