using Atelier.Formats.Images;

namespace Atelier.Diffusion.Pipelines;

/// <summary>Arguments of <see cref="LegacyInpaintPipeline.Run"/> (diffusers' deprecated <c>StableDiffusionInpaintPipelineLegacy.__call__</c>).</summary>
public sealed record LegacyInpaintRequest : DiffusionRequest
{
    /// <summary>The image to repaint; its sides are cut down to multiples of 8 (resized, as the reference does).</summary>
    public required Image Image { get; init; }

    /// <summary>The mask, same size as the image: white is repainted, black kept; gray values blend (no binarization).</summary>
    public required Image Mask { get; init; }

    /// <summary>In [0, 1]: the last int(N · strength) steps are run, starting from the noised image.</summary>
    public double Strength { get; init; } = 0.8;
}
