namespace Atelier.Models.Mini;

/// <summary>What a denoising network outputs.</summary>
public enum MiniPrediction
{
    /// <summary>The noise ε (DDPM, Ho et al. 2020).</summary>
    Epsilon,

    /// <summary>v = aₜ ε − σₜ x₀ (Salimans &amp; Ho 2022).</summary>
    Velocity,

    /// <summary>The clean sample x₀ itself (the unCLIP prior, Ramesh et al. 2022 §2.2).</summary>
    Original,
}
