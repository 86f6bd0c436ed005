using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

/// <summary>Arguments of <see cref="TextToImagePipeline.Run"/> (diffusers <c>StableDiffusionPipeline.__call__</c>).</summary>
public sealed record TextToImageRequest : DiffusionRequest
{
    /// <summary>Image width in pixels, a multiple of 8; null = the model's training size (sample_size × VAE factor).</summary>
    public int? Width { get; init; }

    /// <summary>Image height in pixels, a multiple of 8; null = the model's training size.</summary>
    public int? Height { get; init; }

    /// <summary>
    /// Initial noise [B·n, L, H/f, W/f] instead of a draw from the generator (the pipeline still multiplies it by the
    /// scheduler's init sigma, gotcha G27). The generator then only serves stochastic schedulers.
    /// </summary>
    public Tensor? Latents { get; init; }
}
