using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// What one <see cref="Scheduler.Step"/> returns: <paramref name="PrevSample"/> (x_{t-1}, the next loop input), the
/// model's estimate of the clean sample x0 where the scheduler defines one (<c>pred_original_sample</c>; previews,
/// guidance), and LCM's boundary-condition output <paramref name="Denoised"/>.
/// </summary>
public sealed record SchedulerOutput(Tensor PrevSample, Tensor? PredictedOriginal = null, Tensor? Denoised = null);
