using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

/// <summary>One finished model call of a denoising loop.</summary>
/// <param name="Index">0-based call index.</param>
/// <param name="Count">Model calls in the run (N + 1 for PNDM, 2N − 1 for Heun).</param>
/// <param name="Timestep">The timestep just denoised.</param>
/// <param name="Latents">[B, C, h, w] after the step; valid only during the callback.</param>
public sealed record DenoisingStep(int Index, int Count, double Timestep, Tensor Latents);
