using Atelier.Models.Mini;
using Atelier.Tensors;

namespace Atelier.Models.Tests.Mini;

public class MiniPriorTests
{
    [Fact]
    public void Forward_predicts_one_embedding_per_sample_and_gradients_reach_every_parameter()
    {
        var config = MiniPriorConfig.Tiny;
        var model = RandomWeights.Initialize(new MiniPrior(config), 1);
        MiniTestData.RequireGrad(model);
        var g = new TorchGenerator(2);
        Tensor z = MiniTestData.Randn(g, 3, config.EmbeddingDim), text = MiniTestData.Randn(g, 3, config.EmbeddingDim);
        using (TensorScope.Begin())
        {
            Tensor y = model.Forward(z, [0f, 500f, 999f], text);
            Assert.Equal(z.Shape, y.Shape);
            y.Square().Mean().Backward();
        }
        MiniTestData.AssertEveryParameterHasGradient(model);
    }

    [Fact]
    public void Text_and_timestep_change_the_prediction()
    {
        var config = MiniPriorConfig.Tiny;
        var model = RandomWeights.Initialize(new MiniPrior(config), 3);
        var g = new TorchGenerator(4);
        Tensor z = MiniTestData.Randn(g, 1, config.EmbeddingDim), text = MiniTestData.Randn(g, 1, config.EmbeddingDim);
        float[] a = model.Forward(z, [10f], text).ToFloatArray();
        Assert.NotEqual(a, model.Forward(z, [900f], text).ToFloatArray());
        Assert.NotEqual(a, model.Forward(z, [10f], Tensor.ZerosLike(text)).ToFloatArray());
    }

    [Fact]
    public void Shapes_are_checked_and_config_round_trips()
    {
        var model = RandomWeights.Initialize(new MiniPrior(MiniPriorConfig.Tiny), 5);
        var ex = Assert.Throws<TensorShapeException>(() => model.Forward(Tensor.Zeros([2, 12]), [1f, 2f], Tensor.Zeros([2, 11])));
        Assert.Contains("text embedding [2, 11]", ex.Message);
        var config = new MiniPriorConfig { Width = 256, Layers = 3 };
        Assert.Equal(config, MiniPriorConfig.FromJson(config.ToJson(), "prior.json"));
        Assert.Equal(16f, new MiniPriorConfig().EmbeddingScale);
        Assert.Equal("width", Assert.Throws<MiniConfigException>(() => MiniPriorConfig.FromJson("""{"width": 3}""", "prior.json")).Field);
    }
}
