using Atelier.Formats.Checkpoints;

namespace Atelier.Diffusion.Pipelines;

/// <summary>How <see cref="StableDiffusionModel.Load"/> opens a model.</summary>
public sealed record StableDiffusionLoadOptions
{
    public static StableDiffusionLoadOptions Default { get; } = new();

    /// <summary>What the checkpoint reader needs (weight variant such as <c>fp16</c>, single-file settings shapes cannot tell).</summary>
    public CheckpointOptions Checkpoint { get; init; } = CheckpointOptions.Default;

    /// <summary>
    /// A tokenizer folder (<c>vocab.json</c> + <c>merges.txt</c>, optionally <c>tokenizer_config.json</c>). Required for
    /// single-file checkpoints, which carry none; overrides a diffusers folder's own <c>tokenizer/</c> when given.
    /// </summary>
    public string? TokenizerFolder { get; init; }
}
