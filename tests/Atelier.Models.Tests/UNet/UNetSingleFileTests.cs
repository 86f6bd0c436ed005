using Atelier.Formats.Checkpoints;
using Atelier.Models.UNet;
using Atelier.Tensors;
using Atelier.TestSupport;
using Xunit.Abstractions;

namespace Atelier.Models.Tests.UNet;

/// <summary>The UNet of the single-file (ldm key layout) checkpoints, mapped by Formats, gives the reference outputs too.</summary>
public class UNetSingleFileTests(ITestOutputHelper output)
{
    // What the tiny single file's shapes cannot tell (reference/README.md §3.3): 64 px images, 4 text heads.
    private static readonly CheckpointOptions s_tiny = new() { ImageSize = 64, TextAttentionHeads = 4 };

    [SkippableFact]
    public void Single_file_unet_matches_the_reference_outputs()
    {
        var fixture = UNetFixture.Load("unet");
        var model = UNet2DConditionModel.FromCheckpoint(SharedData.Require("reference/tiny-sd-original/tiny-sd.safetensors"), s_tiny);
        foreach (string call in new[] { "t0", "t999", "t500_5", "t_per_sample" })
        {
            using var scope = TensorScope.Begin();
            Tensor prediction = model.Forward(fixture["sample"], fixture[$"timestep_{call}"], fixture["encoder_hidden_states"]);
            output.WriteLine($"{call}: max |single file - reference| = {TensorAssert.MaxAbsDiff(call, fixture[$"noise_pred_{call}"], prediction):G3}");
            TensorAssert.Close($"tiny-sd.safetensors noise_pred_{call}", fixture[$"noise_pred_{call}"], prediction, UNetFixture.Atol, UNetFixture.Rtol);
        }
        using (TensorScope.Begin())
        {
            Tensor odd = model.Forward(fixture["sample_odd"], 250, fixture["encoder_hidden_states"].Narrow(0, 0, 1));
            TensorAssert.Close("tiny-sd.safetensors noise_pred_odd_t250", fixture["noise_pred_odd_t250"], odd, UNetFixture.Atol, UNetFixture.Rtol);
        }
    }

    /// <summary>
    /// The fp16 file holds the fp32 weights rounded to half (relative error ≤ 2^-11 each); the references were computed
    /// with the fp32 weights. The weights stay F16 in memory and every op widens them, so the only difference from the
    /// fp32 model is that rounding. Measured on this fixture: max |Δ| = 2.0e-3 … 2.1e-3 on outputs of std ≈ 0.6 (t = 0 … 999),
    /// i.e. a few times 2^-11 relative, as expected for errors of independent weights adding up through ~30 layers.
    /// The tolerance, 1e-2 absolute, is ~5x that; an fp32 model loaded from the same file (fp16 weights widened) must
    /// in turn agree with this one to 1e-5, proving the F16 path computes exactly what the widened weights give.
    /// </summary>
    [SkippableFact]
    public void Fp16_single_file_inpainting_unet_keeps_half_weights_and_matches_within_fp16_rounding()
    {
        var fixture = UNetFixture.Load("unet_inpaint");
        var model = UNet2DConditionModel.FromCheckpoint(SharedData.Require("reference/tiny-sd-original/tiny-sd-inpaint.fp16.safetensors"), s_tiny);
        Assert.Equal(9, model.Config.InChannels);
        Assert.All(model.Parameters(), p => Assert.Equal(DType.F16, p.Value.DType));
        var widened = UNet2DConditionModel.FromWeights(model.Config,
            model.NamedParameters().ToDictionary(p => p.Key, p => WidenUnscoped(p.Value.Value)), "fp16 weights widened to F32");
        foreach (string call in new[] { "t0", "t999", "t500_5", "t_per_sample" })
        {
            using var scope = TensorScope.Begin();
            Tensor prediction = model.Forward(fixture["sample"], fixture[$"timestep_{call}"], fixture["encoder_hidden_states"]);
            output.WriteLine($"{call}: max |fp16-weights - fp32 reference| = {TensorAssert.MaxAbsDiff(call, fixture[$"noise_pred_{call}"], prediction):G3}");
            TensorAssert.Close($"tiny-sd-inpaint.fp16 noise_pred_{call}", fixture[$"noise_pred_{call}"], prediction, atol: 1e-2);
            Tensor reference = widened.Forward(fixture["sample"], fixture[$"timestep_{call}"], fixture["encoder_hidden_states"]);
            TensorAssert.Close($"fp16 weights vs the same weights widened, noise_pred_{call}", reference, prediction, atol: 1e-5);
        }
    }

    private static Tensor WidenUnscoped(Tensor half)
    {
        float[] values = half.ToFloatArray();
        return UNetTestWeights.Pinned(values, half.Shape);
    }
}
