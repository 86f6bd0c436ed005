using Atelier.Formats.Images;
using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

/// <summary>Arguments of <see cref="InpaintPipeline.Run"/> (diffusers <c>StableDiffusionInpaintPipeline.__call__</c>).</summary>
public sealed record InpaintRequest : DiffusionRequest
{
    /// <summary>The image to repaint (used as RGB).</summary>
    public required Image Image { get; init; }

    /// <summary>The mask: white (luminance ≥ 0.5) is repainted, black is kept. Resized to the processing size.</summary>
    public required Image Mask { get; init; }

    /// <summary>In [0, 1]; 1 (the default) starts from pure noise, less keeps more of the image under the mask.</summary>
    public double Strength { get; init; } = 1.0;

    /// <summary>Processing width; null = the image's, rounded down to a multiple of 8.</summary>
    public int? Width { get; init; }

    /// <summary>Processing height; null = the image's, rounded down to a multiple of 8.</summary>
    public int? Height { get; init; }

    /// <summary>Initial noise [B·n, L, h, w] instead of a draw (multiplied by the init sigma; also the blending noise of a 4-channel UNet).</summary>
    public Tensor? Latents { get; init; }
}
