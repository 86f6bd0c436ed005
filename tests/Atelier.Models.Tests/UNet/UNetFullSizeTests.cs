using Atelier.Models.UNet;
using Atelier.Tensors;

namespace Atelier.Models.Tests.UNet;

/// <summary>
/// The real SD architectures (4 levels, 320..1280 channels, head widths 40..160 or 64) run end to end on an odd-sized
/// latent, with random half-precision weights (1.7 GB each): 13x19 goes down to 2x3 through 7x10 and 4x5, and every
/// upsampler must come back to its skip's exact size. No reference values exist at this size; the checks are
/// shape, finiteness, and that the output depends on the text and on the timestep.
/// </summary>
[Trait("Category", "Slow")]
public class UNetFullSizeTests
{
    [Theory]
    [InlineData("Sd15")]
    [InlineData("Sd2")]
    public void Full_size_unet_runs_on_an_odd_latent(string preset)
    {
        var config = preset == "Sd15" ? UNet2DConditionPresets.Sd15 : UNet2DConditionPresets.Sd2;
        var model = UNet2DConditionModel.CreateRandom(config, seed: 11, DType.F16);
        using var scope = TensorScope.Begin();
        var generator = new TorchGenerator(12);
        int dim = model.CrossAttentionDim;
        Tensor sample = Tensor.FromArray(generator.Randn(1, 4, 13, 19), [1, 4, 13, 19]);
        Tensor text = Tensor.FromArray(generator.Randn(1, 77, dim), [1, 77, dim]);
        Tensor otherText = Tensor.FromArray(generator.Randn(1, 77, dim), [1, 77, dim]);
        var sizes = new List<(string, Shape)>();
        Tensor output = model.Forward(sample, 981, text, (name, value) => sizes.Add((name, value.Shape)));
        Assert.Equal(new Shape(1, 4, 13, 19), output.Shape);
        Assert.All(output.ToFloatArray(), v => Assert.True(float.IsFinite(v)));
        Assert.Contains(("down_blocks.2", new Shape(1, 1280, 2, 3)), sizes);
        Assert.Contains(("up_blocks.0", new Shape(1, 1280, 4, 5)), sizes);
        Assert.Contains(("up_blocks.1", new Shape(1, 1280, 7, 10)), sizes);
        Assert.Contains(("up_blocks.2", new Shape(1, 640, 13, 19)), sizes);
        Assert.True(TensorAssert.MaxAbsDiff("text", output, model.Forward(sample, 981, otherText)) > 1e-3, "the output ignores the text");
        Assert.True(TensorAssert.MaxAbsDiff("timestep", output, model.Forward(sample, 500, text)) > 1e-3, "the output ignores the timestep");
    }
}
