using Atelier.Formats.Checkpoints;
using Atelier.Models.UNet;
using Atelier.Tensors;
using Atelier.TestSupport;

namespace Atelier.Models.Tests.UNet;

public class UNetConfigTests
{
    // Parameter counts of the published models (sum of numel over diffusers' state dicts); the inpainting UNet is
    // SD 2's plus conv_in's 5 extra input channels (5 x 320 x 3 x 3 = 14,400).
    [Theory]
    [InlineData("Sd15", 859_520_964L)]
    [InlineData("Sd2", 865_910_724L)]
    [InlineData("Sd2Inpaint", 865_925_124L)]
    public void Presets_have_the_published_parameter_counts(string preset, long expected)
    {
        var config = preset switch { "Sd15" => UNet2DConditionPresets.Sd15, "Sd2" => UNet2DConditionPresets.Sd2, _ => UNet2DConditionPresets.Sd2Inpaint };
        Assert.Equal(expected, new UNet2DConditionModel(config).ParameterCount);
    }

    [SkippableTheory]
    [InlineData("unet")]
    [InlineData("unet_sd2")]
    [InlineData("unet_inpaint")]
    public void Config_inferred_from_the_weights_builds_the_same_model(string name)
    {
        using var component = DiffusersComponents.OpenUNet(SharedData.Require($"reference/tiny-sd/{name}"));
        var weights = component.Weights.ToTensors();
        var file = component.Config;
        var inferred = UNet2DConditionPresets.FromWeights(weights, heads: file.AttentionHeadDim, sampleSize: file.SampleSize);
        Assert.Equal(file.BlockOutChannels, inferred.BlockOutChannels);
        Assert.Equal(file.DownBlockTypes, inferred.DownBlockTypes);
        Assert.Equal(file.UpBlockTypes, inferred.UpBlockTypes);
        Assert.Equal(file.InChannels, inferred.InChannels);
        Assert.Equal(file.UseLinearProjection, inferred.UseLinearProjection);
        Assert.Equal(file.CrossAttentionDim, inferred.CrossAttentionDim);
        Assert.Equal(file.LayersPerBlock, inferred.LayersPerBlock);
        UNet2DConditionModel.FromWeights(inferred, weights, component.Weights.Description); // strict: every key and shape
    }

    [SkippableFact]
    public void Tiny_preset_is_the_fixture_config()
    {
        var file = UNet2DConditionConfig.Load(SharedData.Require("reference/tiny-sd/unet/config.json")).Config;
        Assert.Equal(file, UNet2DConditionPresets.Tiny);
    }

    [Fact]
    public void Random_model_is_seeded_and_stores_the_requested_dtype()
    {
        var a = UNet2DConditionModel.CreateRandom(UNet2DConditionPresets.Tiny, seed: 3, DType.F16);
        var b = UNet2DConditionModel.CreateRandom(UNet2DConditionPresets.Tiny, seed: 3, DType.F16);
        Assert.All(a.Parameters(), p => Assert.Equal(DType.F16, p.Value.DType));
        Assert.Equal(a.ConvIn.Weight.Value.ToFloatArray(), b.ConvIn.Weight.Value.ToFloatArray());
        using var scope = TensorScope.Begin();
        Tensor output = a.Forward(Tensor.Ones([1, 4, 8, 8]), 500, Tensor.Ones([1, 77, 32]));
        float[] values = output.ToFloatArray();
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
        double std = Math.Sqrt(values.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.05, 20); // "sane": neither vanishing nor exploding
    }
}
