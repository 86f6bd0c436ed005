using Atelier.Models.Mini;
using Atelier.Tensors;

namespace Atelier.Models.Tests.Mini;

public class MiniDecoderTests
{
    private static readonly MiniDecoderConfig s_config = MiniDecoderConfig.Tiny;

    private static (Tensor Sample, float[] Timesteps, Tensor Embedding, Tensor Text) Inputs(int batch, ulong seed)
    {
        var g = new TorchGenerator(seed);
        return (MiniTestData.Randn(g, batch, 3, s_config.SampleSize, s_config.SampleSize),
            Enumerable.Range(0, batch).Select(i => (float)(137 * i % 1000)).ToArray(),
            MiniTestData.UnitVectors(g, batch, s_config.ClipEmbeddingDim),
            MiniTestData.Randn(g, batch, 5, s_config.TextWidth));
    }

    [Fact]
    public void Forward_returns_one_prediction_per_pixel()
    {
        var model = RandomWeights.Initialize(new MiniDecoder(s_config), 1);
        var (x, t, e, text) = Inputs(3, 2);
        Tensor y = model.Forward(x, t, e, text);
        Assert.Equal(x.Shape, y.Shape);
        Assert.All(y.ToFloatArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void The_default_decoder_has_the_planned_shape()
    {
        var model = new MiniDecoder(new MiniDecoderConfig());
        // Three levels at 32, 16 and 8 pixels; attention at 8x8 and in the middle block.
        Assert.Equal(3, model.DownBlocks.Count);
        Assert.Null(model.DownBlocks[0].Attentions);
        Assert.NotNull(model.DownBlocks[2].Attentions);
        Assert.Equal(2, model.UpBlocks[0].Resnets.Count);
        Assert.InRange(model.ForwardFlopsPerSample(32), 0.3e9, 1.0e9);   // design target: ≤ 0.5–1 GFLOP per forward
        Assert.Contains(model.NamedParameters(), p => p.Key == "down_blocks.2.attentions.0.add_k_proj.weight");
        Assert.Contains(model.NamedParameters(), p => p.Key == "up_blocks.2.upsamplers.0.conv.weight" || p.Key == "up_blocks.1.upsamplers.0.conv.weight");
    }

    [Fact]
    public void Gradients_reach_every_parameter()
    {
        var model = RandomWeights.Initialize(new MiniDecoder(s_config), 3);
        MiniTestData.RequireGrad(model);
        var (x, t, e, text) = Inputs(2, 4);
        using (TensorScope.Begin())
            model.Forward(x, t, e, text).Square().Mean().Backward();
        MiniTestData.AssertEveryParameterHasGradient(model);
    }

    [Fact]
    public void Fresh_weights_start_with_a_zero_prediction()
    {
        var model = new MiniDecoder(s_config);
        model.InitializeWeights(new TorchGenerator(5));
        var (x, t, e, text) = Inputs(2, 6);
        Assert.All(model.Forward(x, t, e, text).ToFloatArray(), v => Assert.Equal(0f, v));
        // ... and only the zero-initialised layers are zero.
        var zero = model.ZeroInitialized.ToHashSet();
        foreach (var (name, p) in model.NamedParameters())
            if (!zero.Contains(p) && !name.EndsWith("bias", StringComparison.Ordinal))
                Assert.Contains(p.Value.ToFloatArray(), v => v != 0);
    }

    [Fact]
    public void Conditioning_changes_the_prediction()
    {
        var model = RandomWeights.Initialize(new MiniDecoder(s_config), 7);
        var (x, t, e, text) = Inputs(2, 8);
        float[] a = model.Forward(x, t, e, text).ToFloatArray();
        float[] b = model.Forward(x, t, Tensor.ZerosLike(e), text).ToFloatArray();
        float[] c = model.Forward(x, t, e, Tensor.ZerosLike(text)).ToFloatArray();
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Wrong_inputs_are_named()
    {
        var model = RandomWeights.Initialize(new MiniDecoder(s_config), 9);
        var (x, t, e, text) = Inputs(2, 10);
        var ex = Assert.Throws<TensorShapeException>(() => model.Forward(x, t, Tensor.Zeros([2, 7]), text));
        Assert.Contains("image embedding [2, 7]", ex.Message);
        ex = Assert.Throws<TensorShapeException>(() => model.Forward(x, [1f], e, text));
        Assert.Contains("1 timesteps", ex.Message);
        ex = Assert.Throws<TensorShapeException>(() => model.Forward(Tensor.Zeros([2, 3, 4, 4]), t, e, text));
        Assert.Contains("sample [2, 3, 4, 4]", ex.Message);
    }

    [Fact]
    public void Config_round_trips_through_json_and_invalid_fields_are_named()
    {
        var config = new MiniDecoderConfig { BlockOutChannels = [48, 96, 192], PredictionType = "epsilon" };
        var back = MiniDecoderConfig.FromJson(config.ToJson(), "decoder.json");
        Assert.Equal(config.BlockOutChannels, back.BlockOutChannels);
        Assert.Equal(MiniPrediction.Epsilon, back.Prediction);
        Assert.Contains("\"block_out_channels\"", config.ToJson());

        var ex = Assert.Throws<MiniConfigException>(() => MiniDecoderConfig.FromJson("""{"attention_levels": [true]}""", "decoder.json"));
        Assert.Equal("attention_levels", ex.Field);
        ex = Assert.Throws<MiniConfigException>(() => MiniDecoderConfig.FromJson("""{"prediction_type": "x0"}""", "decoder.json"));
        Assert.Equal("prediction_type", ex.Field);
        ex = Assert.Throws<MiniConfigException>(() => MiniDecoderConfig.FromJson("""{"sample_sise": 32}""", "decoder.json"));
        Assert.Contains("decoder.json", ex.Message);
    }
}
