using Atelier.Formats.Checkpoints;
using Atelier.Models.UNet;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Tests.UNet;

/// <summary>Bad input fails loudly, naming the tensor or field, its value and what was expected.</summary>
public class UNetErrorTests
{
    private static readonly UNet2DConditionModel s_tiny = UNet2DConditionModel.CreateRandom(UNet2DConditionPresets.Tiny, seed: 7);

    [Fact]
    public void Sample_with_the_wrong_channel_count_names_sample_its_shape_and_in_channels()
    {
        using var scope = TensorScope.Begin();
        var ex = Assert.Throws<TensorShapeException>(() => s_tiny.Forward(Tensor.Zeros([2, 9, 8, 8]), 10, Tensor.Zeros([2, 77, 32])));
        Assert.Contains("sample has shape [2, 9, 8, 8]", ex.Message);
        Assert.Contains("[B, 4, H, W]", ex.Message);
    }

    [Fact]
    public void Encoder_states_of_the_wrong_width_name_the_tensor_its_shape_and_the_expected_width()
    {
        using var scope = TensorScope.Begin();
        var ex = Assert.Throws<TensorShapeException>(() => s_tiny.Forward(Tensor.Zeros([2, 4, 8, 8]), 10, Tensor.Zeros([2, 77, 768])));
        Assert.Contains("encoder_hidden_states has shape [2, 77, 768]", ex.Message);
        Assert.Contains("[2, M, 32]", ex.Message);
    }

    [Fact]
    public void Encoder_states_of_another_batch_are_refused()
    {
        using var scope = TensorScope.Begin();
        var ex = Assert.Throws<TensorShapeException>(() => s_tiny.Forward(Tensor.Zeros([2, 4, 8, 8]), 10, Tensor.Zeros([1, 77, 32])));
        Assert.Contains("encoder_hidden_states has shape [1, 77, 32]", ex.Message);
    }

    [Fact]
    public void Timesteps_that_do_not_fit_the_batch_are_refused()
    {
        using var scope = TensorScope.Begin();
        var ex = Assert.Throws<TensorShapeException>(() => s_tiny.Forward(Tensor.Zeros([2, 4, 8, 8]), Tensor.FromArray(new long[] { 1, 2, 3 }, [3]), Tensor.Zeros([2, 77, 32])));
        Assert.Contains("timestep has shape [3] for a batch of 2", ex.Message);
    }

    [Fact]
    public void Weights_of_another_model_are_reported_by_name()
    {
        var weights = s_tiny.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Value);
        weights.Remove("conv_in.bias");
        weights["up_blocks.1.attentions.0.proj_in.weight"] = Tensor.Zeros([32, 32]);
        weights["extra.weight"] = Tensor.Zeros([1]);
        var ex = Assert.Throws<WeightLoadException>(() => UNet2DConditionModel.FromWeights(UNet2DConditionPresets.Tiny, weights, "test weights"));
        Assert.Contains("conv_in.bias [32]", ex.Message);
        Assert.Contains("up_blocks.1.attentions.0.proj_in.weight: file has [32, 32], model expects [32, 32, 1, 1]", ex.Message);
        Assert.Contains("extra.weight", ex.Message);
    }

    [Theory]
    [InlineData("addition_embed_type")]
    [InlineData("time_cond_proj_dim")]
    [InlineData("resnet_time_scale_shift")]
    [InlineData("down_block_types")]
    public void Config_features_this_port_lacks_are_refused_by_field(string field)
    {
        var config = field switch
        {
            "addition_embed_type" => UNet2DConditionPresets.Tiny with { AdditionEmbedType = "text_time" },
            "time_cond_proj_dim" => UNet2DConditionPresets.Tiny with { TimeCondProjDim = 256 },
            "resnet_time_scale_shift" => UNet2DConditionPresets.Tiny with { ResnetTimeScaleShift = "scale_shift" },
            _ => UNet2DConditionPresets.Tiny with { DownBlockTypes = new[] { "SimpleCrossAttnDownBlock2D", "DownBlock2D" } },
        };
        var ex = Assert.Throws<NotSupportedException>(() => new UNet2DConditionModel(config, "test config"));
        Assert.Contains($"'{field}'", ex.Message);
        Assert.StartsWith("test config:", ex.Message);
    }
}
