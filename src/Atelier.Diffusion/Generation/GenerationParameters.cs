namespace Atelier.Diffusion.Generation;

/// <summary>
/// Everything needed to make an image again, as recorded in its PNG (<see cref="GenerationMetadata"/>). A batch
/// draws all its noise from one generator (as diffusers does), so an image is reproduced by the same seed with the
/// same <see cref="BatchSize"/>; <see cref="BatchIndex"/> says which of the batch it is.
/// </summary>
public sealed record GenerationParameters
{
    public required GenerationMode Mode { get; init; }

    public required string Prompt { get; init; }

    public string NegativePrompt { get; init; } = "";

    public required int Steps { get; init; }

    /// <summary>Sampler short name (e.g. <c>euler_a</c>); <see cref="SamplerLabels"/> gives AUTOMATIC1111's label.</summary>
    public required string Sampler { get; init; }

    public required double GuidanceScale { get; init; }

    public required ulong Seed { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public required string ModelName { get; init; }

    public string? ModelHash { get; init; }

    public int ClipSkip { get; init; }

    /// <summary>Image-to-image and inpainting only.</summary>
    public double? Strength { get; init; }

    public int BatchSize { get; init; } = 1;

    /// <summary>0-based position in the batch.</summary>
    public int BatchIndex { get; init; }
}
