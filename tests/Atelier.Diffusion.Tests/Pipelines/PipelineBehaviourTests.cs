using Atelier.Diffusion.Pipelines;
using Atelier.Tensors;

namespace Atelier.Diffusion.Tests.Pipelines;

/// <summary>What the pipelines refuse, how they report progress and stop, and the model-fit checks, on the tiny model.</summary>
public class PipelineBehaviourTests
{
    private static TextToImageRequest Request(int steps = 2) => new()
    {
        Prompts = ["a red fox"], Steps = steps, Seed = 1, Width = 64, Height = 64,
    };

    [SkippableFact]
    public void Size_not_a_multiple_of_8_is_refused_naming_the_rule_and_a_size_that_works()
    {
        var pipeline = new TextToImagePipeline(TinyModels.Folder);
        var e = Assert.Throws<ArgumentException>(() => pipeline.Run(Request() with { Width = 100 }));
        Assert.Contains("Size 100x64", e.Message, StringComparison.Ordinal);
        Assert.Contains("multiples of 8", e.Message, StringComparison.Ordinal);
        Assert.Contains("e.g. 104x64", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Unknown_sampler_is_refused_listing_the_valid_ones()
    {
        var pipeline = new TextToImagePipeline(TinyModels.Folder);
        var e = Assert.Throws<ArgumentException>(() => pipeline.Run(Request() with { Scheduler = "k_euler" }));
        Assert.Contains("Unknown sampler 'k_euler'; valid samplers: ddim, ddpm, dpmpp_2m, dpmpp_2m_karras, euler, euler_a, heun, lcm, lms, pndm", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_run_beyond_the_memory_limit_is_refused_with_the_bytes_needed()
    {
        var pipeline = new TextToImagePipeline(TinyModels.Folder);
        var e = Assert.Throws<GenerationTooLargeException>(() => pipeline.Run(Request() with { Width = 1024, Height = 1024, MemoryLimitBytes = 1L << 20 }));
        long expected = Math.Max(
            MemoryEstimate.UNetBytes(TinyModels.Folder.UNet.Config, 2, 1024 / TinyModels.Folder.VaeScaleFactor, 1024 / TinyModels.Folder.VaeScaleFactor),
            MemoryEstimate.VaeBytes(TinyModels.Folder.Vae.Config, TinyModels.Folder.Vae.Tiling, 1024, 1024));
        Assert.Equal(expected, e.NeededBytes);
        Assert.Equal(1L << 20, e.AvailableBytes);
        Assert.Contains("Generating 1024x1024 needs about", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Steps_are_reported_in_order_and_cancellation_stops_before_the_next_unet_call()
    {
        var pipeline = new TextToImagePipeline(TinyModels.Folder);
        var seen = new List<(int Index, int Count)>();
        using var cancel = new CancellationTokenSource();
        var request = Request(steps: 4) with
        {
            Scheduler = "ddim",
            OnStep = s =>
            {
                seen.Add((s.Index, s.Count));
                if (s.Index == 1)
                    cancel.Cancel();
            },
        };
        Assert.Throws<OperationCanceledException>(() => pipeline.Run(request, cancel.Token));
        Assert.Equal([(0, 4), (1, 4)], seen);
    }

    [SkippableFact]
    public void Guidance_scale_1_runs_the_unet_on_the_prompt_alone()
    {
        var observer = new RecordingObserver();
        using var scope = TensorScope.Begin();
        new TextToImagePipeline(TinyModels.Folder).Run(Request(steps: 1) with { GuidanceScale = 1, Scheduler = "ddim", ImagesPerPrompt = 2, Observer = observer });
        Assert.Equal(2, observer.Tensors["unet_call0_sample"].Shape[0]);
        Assert.Equal(2, observer.Tensors["prompt_embeds"].Shape[0]);
    }

    [SkippableFact]
    public void Same_seed_gives_the_same_latents_and_the_seed_is_reported()
    {
        using var scope = TensorScope.Begin();
        var pipeline = new TextToImagePipeline(TinyModels.Folder);
        var a = pipeline.Run(Request() with { Seed = 77 });
        var b = pipeline.Run(Request() with { Seed = 77 });
        var random = pipeline.Run(Request() with { Seed = null });
        Assert.Equal(77UL, a.Seed);
        Assert.Equal(a.Latents.ToFloatArray(), b.Latents.ToFloatArray());
        Assert.NotNull(random.Seed);
    }

    [SkippableFact]
    public void Parts_that_do_not_fit_are_named_with_both_sides()
    {
        var model = TinyModels.Folder;
        var origins = new ModelPartOrigins("tok/", "text/config.json", "unet/config.json", "vae/config.json");
        var unet = model.UNet.Config with { CrossAttentionDim = 64, InChannels = 5, OutChannels = 8 };
        var problems = ModelFit.Problems(model.Tokenizer, model.TextEncoder.Config, unet, model.Vae.Config, origins);

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith($"UNet cross_attention_dim 64 (unet/config.json) differs from the text encoder's hidden_size {model.TextEncoder.Config.HiddenSize} (text/config.json)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("UNet out_channels 8 (unet/config.json) differs from the VAE's latent_channels 4 (vae/config.json)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("UNet in_channels 5 (unet/config.json) fits no use of the VAE's latent_channels 4 (vae/config.json): expected 4 (text-to-image) or 9 (inpainting", StringComparison.Ordinal));
        Assert.Empty(ModelFit.Problems(model.Tokenizer, model.TextEncoder.Config, model.UNet.Config with { InChannels = 9 }, model.Vae.Config, origins));
        var e = Assert.Throws<ModelFitException>(() => ModelFit.Check("m/", model.Tokenizer, model.TextEncoder.Config, unet, model.Vae.Config, origins));
        Assert.StartsWith("m/: the model's parts do not fit together:", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Image_to_image_strength_that_leaves_no_step_is_refused_with_the_arithmetic()
    {
        var pipeline = new ImageToImagePipeline(TinyModels.Folder);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Run(new ImageToImageRequest
        {
            Prompts = ["a fox"], Steps = 4, Strength = 0.2, Seed = 1, Image = PipelineCase.LoadPng("init_image.png"),
        }));
        Assert.Contains("strength 0.2 with 4 steps leaves no step to run (int(4 * strength) = 0)", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Image_to_image_strength_outside_0_1_is_refused()
    {
        var pipeline = new ImageToImagePipeline(TinyModels.Folder);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Run(new ImageToImageRequest
        {
            Prompts = ["a fox"], Steps = 4, Strength = 1.5, Seed = 1, Image = PipelineCase.LoadPng("init_image.png"),
        }));
        Assert.Contains("Strength must be in [0, 1]", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void An_inpainting_model_refuses_text_alone()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new TextToImagePipeline(TinyModels.Inpaint).Run(Request()));
        Assert.Contains("9 input channels", e.Message, StringComparison.Ordinal);
        Assert.Contains("InpaintPipeline", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_single_file_without_a_tokenizer_says_which_folder_to_pass()
    {
        var e = Assert.Throws<InvalidDataException>(() => StableDiffusionModel.Load(TinyModels.Path("reference/tiny-sd-original/tiny-sd.safetensors"),
            new StableDiffusionLoadOptions { Checkpoint = TinyModels.SingleFileOptions }));
        Assert.Contains("carries no tokenizer", e.Message, StringComparison.Ordinal);
        Assert.Contains("stable-diffusion-v1-5/tokenizer", e.Message, StringComparison.Ordinal);
    }
}
