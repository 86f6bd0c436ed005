using Atelier.Formats.Images;
using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

/// <summary>What a pipeline run returns.</summary>
/// <param name="Images">[B, 3, H, W] float in [0, 1] (diffusers' <c>output_type="np"</c>, as NCHW).</param>
/// <param name="Pixels">The same images as 8-bit RGB, round(x · 255) ties to even.</param>
/// <param name="Latents">[B, C, h, w] the final latents (before division by the VAE scaling factor).</param>
/// <param name="Seed">The generator seed used, or null when the caller supplied the noise.</param>
/// <param name="SchedulerClass">The diffusers scheduler class that ran, e.g. <c>PNDMScheduler</c>.</param>
/// <param name="Warnings">Anything the user should know (prompt truncation), one line each.</param>
public sealed record PipelineResult(
    Tensor Images,
    IReadOnlyList<Image> Pixels,
    Tensor Latents,
    ulong? Seed,
    string SchedulerClass,
    IReadOnlyList<string> Warnings);
