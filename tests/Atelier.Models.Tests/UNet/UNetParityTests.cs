using Atelier.Models.UNet;
using Atelier.Tensors;

namespace Atelier.Models.Tests.UNet;

/// <summary>Reference parity with diffusers for the three tiny UNets (SD 1.x style, SD 2.x style, 9-channel inpainting).</summary>
public class UNetParityTests
{
    public static TheoryData<string> Models => new() { "unet", "unet_sd2", "unet_inpaint" };

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void Intermediates_of_the_t999_call_match_in_forward_order(string name)
    {
        var fixture = UNetFixture.Load(name);
        var model = UNetFixture.LoadModel(name);
        var seen = new List<(string Module, float[] Values, Shape Shape)>();
        using (TensorScope.Begin())
        {
            // The tensors shown are released with the forward pass: keep managed copies.
            model.Forward(fixture["sample"], fixture["timestep_t999"], fixture["encoder_hidden_states"],
                (module, value) => seen.Add((module, value.ToFloatArray(), value.Shape)));
        }
        var order = UNetFixture.DebugOrder(model.Config.BlockOutChannels.Count);
        Assert.Equal(order.Select(o => o.Module), seen.Select(s => s.Module));
        // The first intermediate that diverges is the one named: later ones inherit its error.
        for (int i = 0; i < order.Length; i++)
            TensorAssert.Close($"{name} debug_t999/{order[i].Fixture} ({order[i].Module})", fixture[$"debug_t999/{order[i].Fixture}"], Tensor.FromArray(seen[i].Values, seen[i].Shape), UNetFixture.Atol, UNetFixture.Rtol);
    }

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void Noise_predictions_match_for_int_float_and_per_sample_timesteps(string name)
    {
        var fixture = UNetFixture.Load(name);
        var model = UNetFixture.LoadModel(name);
        foreach (string call in new[] { "t0", "t999", "t500_5", "t_per_sample" })
        {
            using var scope = TensorScope.Begin();
            Tensor output = model.Forward(fixture["sample"], fixture[$"timestep_{call}"], fixture["encoder_hidden_states"]);
            TensorAssert.Close($"{name} noise_pred_{call}", fixture[$"noise_pred_{call}"], output, UNetFixture.Atol, UNetFixture.Rtol);
        }
    }

    [SkippableFact]
    public void Odd_latent_size_upsamples_to_the_skip_size()
    {
        var fixture = UNetFixture.Load("unet");
        var model = UNetFixture.LoadModel("unet");
        using var scope = TensorScope.Begin();
        Tensor context = fixture["encoder_hidden_states"].Narrow(0, 0, 1);      // [1, 77, 32]
        Tensor output = model.Forward(fixture["sample_odd"], 250, context);    // [1, 4, 13, 19]
        TensorAssert.Close("unet noise_pred_odd_t250", fixture["noise_pred_odd_t250"], output, UNetFixture.Atol, UNetFixture.Rtol);
    }

    [SkippableFact]
    public void Scalar_timestep_overload_equals_the_tensor_form()
    {
        var fixture = UNetFixture.Load("unet");
        var model = UNetFixture.LoadModel("unet");
        using var scope = TensorScope.Begin();
        Tensor a = model.Forward(fixture["sample"], 500.5, fixture["encoder_hidden_states"]);
        Tensor b = model.Forward(fixture["sample"], fixture["timestep_t500_5"], fixture["encoder_hidden_states"]);
        Assert.Equal(b.ToFloatArray(), a.ToFloatArray());
    }
}
