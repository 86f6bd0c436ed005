using Atelier.Diffusion.Pipelines;
using Atelier.Models.Mini;

namespace Atelier.Diffusion.Generation;

/// <summary>
/// <see cref="IImageGenerator"/> over Atelier's own default model (atelier-mini, <see cref="MiniPipeline"/>): a caption
/// alone gives text-to-image, an image without a caption gives a variation (its CLIP image embedding decoded with new
/// noise), an image with a mask and a caption gives an edit. The model draws 64x64 only. Each image of a batch uses its
/// own seed (request seed + position), so every image is reproduced alone from the seed its PNG records.
/// </summary>
public sealed class AtelierMiniGenerator : IImageGenerator
{
    /// <summary>The name written into the parameters.</summary>
    public const string Name = "atelier-mini";

    /// <summary>The weight files the model hash covers, in order.</summary>
    private static readonly string[] WeightFiles = ["clip.safetensors", "prior.safetensors", "decoder.safetensors", "upsampler.safetensors"];

    private readonly MiniPipeline _pipeline;

    public AtelierMiniGenerator(MiniPipeline pipeline, string? modelHash = null)
    {
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        ModelHash = modelHash;
    }

    public string ModelName => Name;

    public string? ModelHash { get; }

    /// <summary>The sampler names a request may use (the model's own solvers).</summary>
    public static IReadOnlyList<string> Samplers { get; } = ["dpmpp_2m", "ddim"];

    /// <summary>
    /// Loads the model folder (<c>clip.*</c>, <c>tokenizer/</c>, <c>prior.*</c>, <c>decoder.*</c>, <c>upsampler.*</c>);
    /// a missing file is named in the exception.
    /// </summary>
    public static AtelierMiniGenerator Load(string modelDir)
    {
        ArgumentNullException.ThrowIfNull(modelDir);
        if (!Directory.Exists(modelDir))
            throw new DirectoryNotFoundException($"{modelDir}: the atelier-mini model folder does not exist.");
        foreach (string file in WeightFiles)
            if (!File.Exists(Path.Combine(modelDir, file)))
                throw new FileNotFoundException($"{Path.Combine(modelDir, file)}: missing; an atelier-mini folder holds {string.Join(", ", WeightFiles)} with their .json configs and tokenizer/.");
        var pipeline = MiniPipeline.Load(modelDir);
        return new AtelierMiniGenerator(pipeline, Pipelines.ModelHash.Of(WeightFiles.Select(f => Path.Combine(modelDir, f)).ToArray()));
    }

    public IReadOnlyList<GeneratedImage> Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var mode = request.Mode;
        Check(request, mode);
        var defaults = new MiniGenerateOptions();
        int steps = request.Steps ?? defaults.DecoderSteps;
        double guidance = request.GuidanceScale ?? defaults.DecoderGuidance;
        string sampler = request.Sampler ?? Samplers[0];
        var solver = sampler == "ddim" ? MiniSolver.Ddim : MiniSolver.DpmSolverPlusPlus2M;

        var images = new GeneratedImage[request.Count];
        for (int i = 0; i < images.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ulong seed = request.Seed + (ulong)i;
            var options = new MiniGenerateOptions
            {
                Seed = seed, DecoderSteps = steps, DecoderGuidance = (float)guidance, Solver = solver,
            }.Validate();
            var image = mode switch
            {
                GenerationMode.TextToImage => _pipeline.Generate(request.Prompt, options),
                GenerationMode.ImageToImage => _pipeline.Vary(request.InitImage!, options),
                _ => _pipeline.Edit(request.InitImage!, request.Mask!, request.Prompt, options),
            };
            images[i] = new GeneratedImage(image, new GenerationParameters
            {
                Mode = mode, Prompt = request.Prompt, Steps = steps, Sampler = sampler, GuidanceScale = guidance, Seed = seed,
                Width = image.Width, Height = image.Height, ModelName = ModelName, ModelHash = ModelHash,
            });
            progress?.Report(new GenerationProgress(i + 1, images.Length));
        }
        return images;
    }

    /// <summary>Refuses what the model cannot do, saying what to change.</summary>
    private static void Check(GenerationRequest request, GenerationMode mode)
    {
        int size = MiniImageOps.ImageSize;
        if (request.Width is int w && w != size || request.Height is int h && h != size)
            throw new ArgumentException($"atelier-mini draws {size}x{size} images only (asked {request.Width?.ToString() ?? "-"}x{request.Height?.ToString() ?? "-"}): "
                + $"leave out --width/--height/--size, or use a Stable Diffusion model with --model.");
        if (request.Sampler is { } s && !Samplers.Contains(s))
            throw new ArgumentException($"atelier-mini samples with {string.Join(" or ", Samplers)}, not '{s}'.");
        if (!string.IsNullOrEmpty(request.NegativePrompt))
            throw new ArgumentException("atelier-mini does not take a negative prompt; leave out --negative-prompt, or use a Stable Diffusion model with --model.");
        if (request.ClipSkip != 0)
            throw new ArgumentException("atelier-mini has no clip skip; leave out --clip-skip.");
        if (request.Strength is not null)
            throw new ArgumentException("atelier-mini takes no --strength: a variation keeps only the image's CLIP embedding, an edit repaints the whole masked region.");
        if (request.Steps is { } steps && (steps < 1 || steps > 1000))
            throw new ArgumentException($"--steps {steps}: atelier-mini takes 1 to 1000 decoder steps.");
        if (mode == GenerationMode.ImageToImage && !string.IsNullOrWhiteSpace(request.Prompt))
            throw new ArgumentException("atelier-mini varies an image without a caption (atelier vary IMAGE); to steer an image with a caption, "
                + "repaint part of it (atelier edit IMAGE --mask MASK \"caption\") or use a Stable Diffusion model with --model.");
        if (mode == GenerationMode.Inpaint && string.IsNullOrWhiteSpace(request.Prompt))
            throw new ArgumentException("an edit needs a caption for the repainted region, e.g. atelier edit in.png --mask mask.png \"a red apple\".");
    }
}
