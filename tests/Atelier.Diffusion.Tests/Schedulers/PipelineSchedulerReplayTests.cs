using System.Text.Json.Nodes;
using Atelier.Diffusion.Schedulers;
using Atelier.Tensors;

namespace Atelier.Diffusion.Tests.Schedulers;

/// <summary>
/// The scheduler side of the recorded pipeline runs (fixture §f), without the UNet: replaying diffusers' raw UNet
/// outputs through classifier-free guidance (gotcha G29) and our scheduler must give the same UNet inputs, timesteps
/// and latents after every step. Covers what a pipeline relies on: the config of a diffusers folder, InitNoiseSigma,
/// ScaleModelInput, BeginAtStrength (img2img cuts the schedule) and the per-step noise draws.
/// </summary>
public class PipelineSchedulerReplayTests
{
    private const double Tolerance = 1e-5;

    [SkippableTheory]
    [InlineData("txt2img_pndm_neg")]
    [InlineData("txt2img_pndm_nocfg")]
    [InlineData("txt2img_euler_neg")]
    [InlineData("img2img_pndm")]
    [InlineData("img2img_ddim")]
    public void SchedulerReproducesThePipelineLatents(string name)
    {
        var index = SchedulerFixtures.Index["pipelines"]![name]!.AsObject();
        var tensors = SchedulerFixtures.LoadTensors(index["file"]!.GetValue<string>());
        var config = index["scheduler_config"]!.AsObject();
        var scheduler = SchedulerRegistry.FromConfig(config["_class_name"]!.GetValue<string>(), config);
        scheduler.SetTimesteps(index["num_inference_steps"]!.GetValue<int>());
        double guidance = index["guidance_scale"]!.GetValue<double>();
        bool cfg = guidance > 1;

        IReadOnlyList<double> timesteps;
        Tensor latents;
        if (index["strength"] is JsonNode strength)
        {
            // img2img: the run starts inside the schedule; its start latents (add_noise of the VAE latents) are the
            // first UNet input (PNDM and DDIM do not scale the input).
            var window = scheduler.BeginAtStrength(strength.GetValue<double>());
            timesteps = window.Timesteps;
            Assert.Equal(window.NoiseTimestep, timesteps[0]);
            latents = tensors["unet_call0_sample"].ToTensor().Narrow(0, 0, 1);
        }
        else
        {
            timesteps = scheduler.Timesteps;
            latents = tensors["latents_in"].ToTensor() * scheduler.InitNoiseSigma;
        }
        Assert.True(index["n_unet_calls"]!.GetValue<int>() == timesteps.Count, $"{name}: {timesteps.Count} timesteps to run, diffusers made {index["n_unet_calls"]} UNet calls");

        for (int i = 0; i < timesteps.Count; i++)
        {
            string context = $"{name} UNet call {i}";
            double t = timesteps[i];
            Assert.True(tensors[$"unet_call{i}_timestep"].AsDoubles[0] == t, $"{context}: timestep {t}, diffusers called the UNet at {tensors[$"unet_call{i}_timestep"].AsDoubles[0]}");

            var input = scheduler.ScaleModelInput(latents, t); // [1, 4, 32, 32]
            var unetInput = cfg ? Ops.Concat([input, input], 0) : input; // [2, 4, 32, 32] = [uncond, cond]
            TensorAssert.Close(tensors[$"unet_call{i}_sample"].Values, unetInput, Tolerance, Tolerance, $"{context} UNet input");

            var noisePred = tensors[$"unet_call{i}_noise_pred"].ToTensor();
            Tensor guided = noisePred;
            if (cfg)
            {
                var uncond = noisePred.Narrow(0, 0, 1);
                var text = noisePred.Narrow(0, 1, 1);
                guided = uncond + (text - uncond) * (float)guidance;
            }

            var noise = new RecordedNoise(context, tensors.ContainsKey($"noise{i}") && name.Contains("euler")
                ? [($"noise{i}", tensors[$"noise{i}"].ToTensor())]
                : []);
            latents = scheduler.Step(guided, t, latents, noise).PrevSample;
            Assert.True(noise.Remaining == 0, $"{context}: the scheduler did not draw the noise diffusers drew");
            TensorAssert.Close(tensors[$"latents_after_step{i}"].Values, latents, Tolerance, Tolerance, $"{context} latents after the step");
        }
        TensorAssert.Close(tensors["final_latents"].Values, latents, Tolerance, Tolerance, $"{name} final latents");
    }
}
