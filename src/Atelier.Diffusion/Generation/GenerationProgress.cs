namespace Atelier.Diffusion.Generation;

/// <summary>Reported after every denoising step: <paramref name="Step"/> of <paramref name="Total"/> done (1-based).</summary>
public readonly record struct GenerationProgress(int Step, int Total);
