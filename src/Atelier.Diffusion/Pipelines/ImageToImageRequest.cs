using Atelier.Formats.Images;

namespace Atelier.Diffusion.Pipelines;

/// <summary>Arguments of <see cref="ImageToImagePipeline.Run"/> (diffusers <c>StableDiffusionImg2ImgPipeline.__call__</c>).</summary>
public sealed record ImageToImageRequest : DiffusionRequest
{
    /// <summary>The starting image (any channel count; used as RGB).</summary>
    public required Image Image { get; init; }

    /// <summary>How much of the schedule to run, in [0, 1]: the last int(N · strength) of N steps (gotcha G29). 1 ignores the image's content.</summary>
    public double Strength { get; init; } = 0.8;

    /// <summary>Processing width; null = the image's, rounded down to a multiple of 8 (it is resized when it differs).</summary>
    public int? Width { get; init; }

    /// <summary>Processing height; null = the image's, rounded down to a multiple of 8.</summary>
    public int? Height { get; init; }
}
