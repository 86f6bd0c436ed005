namespace Atelier.Diffusion.Schedulers;

/// <summary>How the training betas were laid out (diffusers <c>beta_schedule</c>).</summary>
public enum BetaSchedule
{
    /// <summary><c>"linear"</c>: betas evenly spaced from beta_start to beta_end (DDPM, Ho et al. 2020).</summary>
    Linear,

    /// <summary><c>"scaled_linear"</c>: square roots evenly spaced, then squared (latent diffusion, Stable Diffusion).</summary>
    ScaledLinear,

    /// <summary><c>"squaredcos_cap_v2"</c>: the cosine schedule of Nichol and Dhariwal 2021 (eq. 17), betas capped at 0.999.</summary>
    SquaredCosCapV2,
}
