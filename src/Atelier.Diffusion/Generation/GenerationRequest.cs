using Atelier.Formats.Images;

namespace Atelier.Diffusion.Generation;

/// <summary>
/// A model-independent generation request (what <c>atelier generate</c> takes). Null fields take the model's
/// defaults. The seed is chosen by the caller so it can be shown before the run starts.
/// </summary>
public sealed record GenerationRequest
{
    public required string Prompt { get; init; }

    /// <summary>What to steer away from; empty = none.</summary>
    public string NegativePrompt { get; init; } = "";

    /// <summary>Seed of the run's random numbers; the same seed, request and model give the same pixels.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Images to make (one batch).</summary>
    public int Count { get; init; } = 1;

    public int? Steps { get; init; }

    /// <summary>Classifier-free guidance scale ("CFG scale"); 1 or less = no guidance.</summary>
    public double? GuidanceScale { get; init; }

    /// <summary>A sampler short name the model knows, or null for the model's own.</summary>
    public string? Sampler { get; init; }

    public int? Width { get; init; }

    public int? Height { get; init; }

    /// <summary>Final text-encoder layers skipped (0 = none; AUTOMATIC1111's "Clip skip" is this + 1).</summary>
    public int ClipSkip { get; init; }

    /// <summary>Init image for image-to-image and inpainting.</summary>
    public Image? InitImage { get; init; }

    /// <summary>Inpainting mask (white = repaint); needs <see cref="InitImage"/>.</summary>
    public Image? Mask { get; init; }

    /// <summary>How far the init image is re-noised, in [0, 1]; null = the mode's default (0.8 img2img, 1 inpainting).</summary>
    public double? Strength { get; init; }

    public GenerationMode Mode => (InitImage, Mask) switch
    {
        (null, null) => GenerationMode.TextToImage,
        (not null, null) => GenerationMode.ImageToImage,
        (not null, not null) => GenerationMode.Inpaint,
        (null, not null) => throw new ArgumentException("A mask was given without an image: inpainting needs both --image and --mask."),
    };
}
