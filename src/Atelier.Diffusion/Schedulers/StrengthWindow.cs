namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// The part of a schedule an img2img or inpainting run denoises (diffusers <c>get_timesteps</c>, gotcha G29):
/// <c>init_timestep = min(int(N * strength), N)</c>, <c>t_start = N - init_timestep</c>, run
/// <c>timesteps[t_start * order:]</c>. <see cref="NoiseTimestep"/> is where the start latents are noised to
/// (<c>add_noise(x0, noise, timesteps[0])</c>); <see cref="InferenceSteps"/> is <c>N - t_start</c>.
/// </summary>
public sealed record StrengthWindow(int BeginIndex, IReadOnlyList<double> Timesteps, int InferenceSteps)
{
    public double NoiseTimestep => Timesteps[0];
}
