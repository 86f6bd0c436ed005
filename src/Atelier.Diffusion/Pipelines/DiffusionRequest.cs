using Atelier.Diffusion.Schedulers;

namespace Atelier.Diffusion.Pipelines;

/// <summary>
/// What every Stable Diffusion pipeline takes (the common arguments of diffusers' <c>__call__</c>); each pipeline's
/// request adds its own (size, init image, mask, strength). Defaults are diffusers'.
/// </summary>
public abstract record DiffusionRequest
{
    /// <summary>The prompts, B ≥ 1 of them; each gives <see cref="ImagesPerPrompt"/> images.</summary>
    public required IReadOnlyList<string> Prompts { get; init; }

    /// <summary>Null or empty: "" for every prompt; one: the same for every prompt; else one per prompt. Used only with guidance (scale &gt; 1).</summary>
    public IReadOnlyList<string>? NegativePrompts { get; init; }

    /// <summary>Images per prompt (diffusers <c>num_images_per_prompt</c>); the batch is B × this.</summary>
    public int ImagesPerPrompt { get; init; } = 1;

    /// <summary>Inference steps N (diffusers <c>num_inference_steps</c>); img2img and inpainting run the last strength · N of them.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>Classifier-free guidance scale w (Ho and Salimans 2022, eq. 6, as Imagen writes it): guidance runs only when w &gt; 1.</summary>
    public double GuidanceScale { get; init; } = 7.5;

    /// <summary>Final text-encoder layers skipped (diffusers' <c>clip_skip</c>; AUTOMATIC1111's "Clip skip N" is N − 1).</summary>
    public int ClipSkip { get; init; }

    /// <summary>A scheduler short name (<see cref="SchedulerRegistry.Names"/>), or null for the model's own.</summary>
    public string? Scheduler { get; init; }

    /// <summary>
    /// Seed of the single PyTorch-compatible generator every random draw comes from, in diffusers' order (so a seed
    /// gives diffusers' CPU result). Null with no <see cref="Noise"/>: a random seed, reported in the result.
    /// </summary>
    public ulong? Seed { get; init; }

    /// <summary>Replaces the seeded generator (e.g. recorded noise in tests); <see cref="Seed"/> is then ignored.</summary>
    public INoiseSource? Noise { get; init; }

    /// <summary>Called after every model call with the step just made (progress bars, previews).</summary>
    public Action<DenoisingStep>? OnStep { get; init; }

    /// <summary>Sees the intermediate tensors of the run (tests, debugging).</summary>
    public IPipelineObserver? Observer { get; init; }

    /// <summary>
    /// Memory the run may use beyond the weights; null = what the machine has available now. Runs whose estimate
    /// (<see cref="MemoryEstimate"/>) exceeds it are refused before they start.
    /// </summary>
    public long? MemoryLimitBytes { get; init; }
}
