namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// How inference timesteps are picked among the training timesteps (diffusers <c>timestep_spacing</c>; Table 2 of
/// Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps are Flawed"). Stable Diffusion 1.x configs say
/// "leading", and pipelines that swap schedulers keep it (gotcha G23).
/// </summary>
public enum TimestepSpacing
{
    /// <summary><c>"leading"</c>: <c>arange(N) * (T // N)</c> reversed, plus steps_offset (N=4: 751, 501, 251, 1).</summary>
    Leading,

    /// <summary><c>"linspace"</c>: N points from 0 to T - 1 (N=4: 999, 666, 333, 0).</summary>
    Linspace,

    /// <summary><c>"trailing"</c>: <c>arange(T, 0, -T / N)</c> rounded, minus 1 (N=4: 999, 749, 499, 249).</summary>
    Trailing,
}
