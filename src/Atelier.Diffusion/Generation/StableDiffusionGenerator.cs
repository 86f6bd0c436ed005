using Atelier.Diffusion.Pipelines;
using Atelier.Diffusion.Schedulers;

namespace Atelier.Diffusion.Generation;

/// <summary>
/// <see cref="IImageGenerator"/> over a Stable Diffusion model: text-to-image, image-to-image, or inpainting (with a
/// 9-channel inpainting UNet, or any UNet by blending) according to the images the request carries. Defaults are
/// diffusers': 50 steps, guidance 7.5, the model's own scheduler, the UNet's training size.
/// </summary>
public sealed class StableDiffusionGenerator : IImageGenerator
{
    public const int DefaultSteps = 50;
    public const double DefaultGuidanceScale = 7.5;
    public const double DefaultImageToImageStrength = 0.8;
    public const double DefaultInpaintStrength = 1.0;

    public StableDiffusionGenerator(StableDiffusionModel model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
    }

    public StableDiffusionModel Model { get; }

    public string ModelName => Model.Name;

    public string? ModelHash => Model.Hash;

    /// <summary>The sampler names a request may use.</summary>
    public static IReadOnlyList<string> Samplers => SchedulerRegistry.Names;

    /// <summary>Loads a diffusers folder or single-file checkpoint (see <see cref="StableDiffusionModel.Load"/>).</summary>
    public static StableDiffusionGenerator Load(string path, StableDiffusionLoadOptions? options = null) =>
        new(StableDiffusionModel.Load(path, options));

    public IReadOnlyList<GeneratedImage> Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var mode = request.Mode;
        int steps = request.Steps ?? DefaultSteps;
        double guidance = request.GuidanceScale ?? DefaultGuidanceScale;
        string[] prompts = [request.Prompt];
        string[] negative = [request.NegativePrompt];
        Action<DenoisingStep>? onStep = progress is null ? null : s => progress.Report(new GenerationProgress(s.Index + 1, s.Count));
        double? strength = null;

        PipelineResult result;
        switch (mode)
        {
            case GenerationMode.TextToImage:
                result = new TextToImagePipeline(Model).Run(new TextToImageRequest
                {
                    Prompts = prompts, NegativePrompts = negative, ImagesPerPrompt = request.Count, Steps = steps,
                    GuidanceScale = guidance, ClipSkip = request.ClipSkip, Scheduler = request.Sampler, Seed = request.Seed,
                    Width = request.Width, Height = request.Height, OnStep = onStep,
                }, cancellationToken);
                break;
            case GenerationMode.ImageToImage:
                strength = request.Strength ?? DefaultImageToImageStrength;
                result = new ImageToImagePipeline(Model).Run(new ImageToImageRequest
                {
                    Prompts = prompts, NegativePrompts = negative, ImagesPerPrompt = request.Count, Steps = steps,
                    GuidanceScale = guidance, ClipSkip = request.ClipSkip, Scheduler = request.Sampler, Seed = request.Seed,
                    Image = request.InitImage!, Strength = strength.Value, Width = request.Width, Height = request.Height, OnStep = onStep,
                }, cancellationToken);
                break;
            default:
                strength = request.Strength ?? DefaultInpaintStrength;
                result = new InpaintPipeline(Model).Run(new InpaintRequest
                {
                    Prompts = prompts, NegativePrompts = negative, ImagesPerPrompt = request.Count, Steps = steps,
                    GuidanceScale = guidance, ClipSkip = request.ClipSkip, Scheduler = request.Sampler, Seed = request.Seed,
                    Image = request.InitImage!, Mask = request.Mask!, Strength = strength.Value, Width = request.Width,
                    Height = request.Height, OnStep = onStep,
                }, cancellationToken);
                break;
        }

        string sampler = request.Sampler ?? ShortNameOf(result.SchedulerClass);
        var images = new GeneratedImage[result.Pixels.Count];
        for (int i = 0; i < images.Length; i++)
        {
            var pixels = result.Pixels[i];
            images[i] = new GeneratedImage(pixels, new GenerationParameters
            {
                Mode = mode, Prompt = request.Prompt, NegativePrompt = request.NegativePrompt, Steps = steps, Sampler = sampler,
                GuidanceScale = guidance, Seed = request.Seed, Width = pixels.Width, Height = pixels.Height,
                ModelName = ModelName, ModelHash = ModelHash, ClipSkip = request.ClipSkip, Strength = strength,
                BatchSize = images.Length, BatchIndex = i,
            });
        }
        return images;
    }

    /// <summary>The registry name of a scheduler class (the first with that class), or the class name itself.</summary>
    private static string ShortNameOf(string className) =>
        SchedulerRegistry.Names.FirstOrDefault(n => SchedulerRegistry.ClassNameOf(n) == className) ?? className;
}
