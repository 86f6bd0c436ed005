using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Atelier.Diffusion.Pipelines;
using Atelier.Diffusion.Schedulers;
using Atelier.Formats.Images;
using Atelier.Tensors;

namespace Atelier.Diffusion.Tests.Pipelines;

/// <summary>Where a pipeline run's random numbers come from in a parity test.</summary>
public enum NoiseMode
{
    /// <summary>The tensors diffusers recorded (<c>latents_in</c>, <c>noise0</c>, …) are injected in drawing order.</summary>
    Recorded,

    /// <summary>
    /// Everything is regenerated from seeds by our TorchGenerator: the pipeline's generator gets the case's seed and
    /// draws as diffusers does. txt2img then uses only seed 601 (its latents_in are that seed's first draw, and the
    /// Euler step noise is multiplied by 0); inpainting passes latents_in regenerated from seed 603 (diffusers drew
    /// them with a second generator).
    /// </summary>
    Seeded,
}

/// <summary>
/// One pipeline case of the reference fixtures (§f, <c>index.json</c> "pipelines"): the call diffusers made, its
/// recorded tensors, and how to make the same call here.
/// </summary>
internal sealed partial class PipelineCase
{
    /// <summary>The seed the fixture's txt2img latents_in were drawn with (see TorchGeneratorFixtureTests).</summary>
    private const ulong TextToImageLatentSeed = 601;

    /// <summary>The seed the fixture's inpainting latents_in were drawn with.</summary>
    private const ulong InpaintLatentSeed = 603;

    public static readonly string[] Names =
    [
        "txt2img_pndm_neg", "txt2img_pndm", "txt2img_pndm_nocfg", "txt2img_euler_neg",
        "img2img_pndm", "img2img_ddim", "inpaint_9ch", "inpaint_4ch_blend", "inpaint_legacy",
    ];

    private PipelineCase(string name, JsonObject index, Dictionary<string, FixtureTensor> tensors)
    {
        Name = name;
        Index = index;
        Tensors = tensors;
    }

    public string Name { get; }
    public JsonObject Index { get; }
    public Dictionary<string, FixtureTensor> Tensors { get; }

    public static PipelineCase Load(string name)
    {
        var index = SchedulerFixtures.Index["pipelines"]![name]!.AsObject();
        return new PipelineCase(name, index, SchedulerFixtures.LoadTensors(index["file"]!.GetValue<string>()));
    }

    /// <summary>The model diffusers ran: the tiny folder, with its inpainting UNet for inpaint_9ch.</summary>
    public StableDiffusionModel Model => Name == "inpaint_9ch" ? TinyModels.Inpaint : TinyModels.Folder;

    public int UNetCalls => Index["n_unet_calls"]!.GetValue<int>();

    /// <summary>The seed of the generator diffusers passed to the pipeline (from the recorded call).</summary>
    public ulong GeneratorSeed
    {
        get
        {
            string call = Index["call"]!.GetValue<string>();
            var match = ManualSeed().Match(call);
            if (!match.Success)
                match = SeedWord().Match(call);
            Assert.True(match.Success, $"{Name}: no seed in the recorded call \"{call}\"");
            return ulong.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The scheduler short name of the class diffusers ran (null = the model's own, PNDM).</summary>
    public string? SchedulerName => Index["scheduler"]!.GetValue<string>() switch
    {
        "PNDMScheduler" => null,
        "DDIMScheduler" => "ddim",
        "EulerDiscreteScheduler" => "euler",
        var other => throw new InvalidOperationException($"{Name}: scheduler {other} not mapped"),
    };

    /// <summary>Runs the case through our pipeline.</summary>
    public PipelineResult Run(NoiseMode mode, IPipelineObserver? observer = null, StableDiffusionModel? model = null, RecordedNoise? recorded = null)
    {
        model ??= Model;
        string prompt = Index["prompt"]!.GetValue<string>();
        string[]? negative = Index["negative_prompt"] is JsonNode n ? [n.GetValue<string>()] : null;
        double guidance = Index["guidance_scale"]!.GetValue<double>();
        int steps = Index["num_inference_steps"]!.GetValue<int>();
        bool recordedMode = mode == NoiseMode.Recorded;
        INoiseSource? noise = recordedMode ? recorded ?? RecordedNoise() : null;
        ulong? seed = recordedMode ? null : GeneratorSeed;

        if (Name.StartsWith("txt2img", StringComparison.Ordinal))
        {
            return new TextToImagePipeline(model).Run(new TextToImageRequest
            {
                Prompts = [prompt], NegativePrompts = negative, GuidanceScale = guidance, Steps = steps, Scheduler = SchedulerName,
                Width = 64, Height = 64, Observer = observer, Noise = noise,
                Seed = recordedMode ? null : TextToImageLatentSeed,
                Latents = recordedMode ? Tensors["latents_in"].ToTensor() : null,
            });
        }
        Image image = LoadPng("init_image.png");
        double strength = Index["strength"]!.GetValue<double>();
        if (Name.StartsWith("img2img", StringComparison.Ordinal))
        {
            return new ImageToImagePipeline(model).Run(new ImageToImageRequest
            {
                Prompts = [prompt], NegativePrompts = negative, GuidanceScale = guidance, Steps = steps, Scheduler = SchedulerName,
                Image = image, Strength = strength, Observer = observer, Noise = noise, Seed = seed,
            });
        }
        Image mask = LoadPng("mask.png");
        if (Name == "inpaint_legacy")
        {
            return new LegacyInpaintPipeline(model).Run(new LegacyInpaintRequest
            {
                Prompts = [prompt], NegativePrompts = negative, GuidanceScale = guidance, Steps = steps, Scheduler = SchedulerName,
                Image = image, Mask = mask, Strength = strength, Observer = observer, Noise = noise, Seed = seed,
            });
        }
        var shape = Tensors["latents_in"].Shape;
        return new InpaintPipeline(model).Run(new InpaintRequest
        {
            Prompts = [prompt], NegativePrompts = negative, GuidanceScale = guidance, Steps = steps, Scheduler = SchedulerName,
            Image = image, Mask = mask, Strength = strength, Width = 64, Height = 64, Observer = observer, Noise = noise, Seed = seed,
            Latents = recordedMode
                ? Tensors["latents_in"].ToTensor()
                : Tensor.FromArray(new TorchGenerator(InpaintLatentSeed).Randn(shape.ToArray()), shape),
        });
    }

    /// <summary>noise0, noise1, … as recorded, in drawing order.</summary>
    public RecordedNoise RecordedNoise()
    {
        var draws = new List<(string, Tensor)>();
        for (int k = 0; Tensors.ContainsKey($"noise{k}"); k++)
            draws.Add(($"noise{k}", Tensors[$"noise{k}"].ToTensor()));
        return new RecordedNoise(Name, draws);
    }

    public static Image LoadPng(string name) =>
        PngDecoder.DecodeFile(TinyModels.Path("reference/tiny-sd-expected/pipelines/" + name)).Image;

    [GeneratedRegex(@"manual_seed\((\d+)\)")]
    private static partial Regex ManualSeed();

    [GeneratedRegex(@"seed (\d+)")]
    private static partial Regex SeedWord();
}
