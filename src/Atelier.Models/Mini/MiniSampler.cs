using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// The reverse process of the atelier-mini models as short free functions over a denoiser callback and a list of
/// timesteps (in the manner of k-diffusion / stable-diffusion.cpp samplers). The callback returns x̂₀, the model's
/// estimate of the clean sample (its output converted with <see cref="MiniNoiseSchedule.PredictedOriginal"/>, after
/// classifier-free guidance), so one sampler serves the x₀-predicting prior and the v-predicting decoder.
/// </summary>
/// <remarks>
/// Why not <c>Atelier.Diffusion/Schedulers</c>: that project sits above <c>Atelier.Models</c> (Tensors ← Nn ← Models ←
/// Diffusion), and the mini models sample in the model layer so the training code and the CLI share one definition.
/// The two updates here are the same equations as its DDIM and DPM-Solver++ schedulers with "trailing" spacing.
/// </remarks>
public static class MiniSampler
{
    /// <summary>x̂₀ [B, …] for <paramref name="sample"/> x_t [B, …] at <paramref name="timestep"/> (the same t for the whole batch).</summary>
    public delegate Tensor Denoiser(Tensor sample, int timestep);

    /// <summary>
    /// Called after every step with the new sample, which now sits at noise level <paramref name="timestep"/>
    /// (−1: clean); returns the sample to continue from (inpainting replaces the known region here).
    /// </summary>
    public delegate Tensor StepHook(Tensor sample, int timestep);

    /// <summary>
    /// Runs <paramref name="steps"/> denoising steps from <paramref name="noise"/> (x_T ~ N(0, I)) and returns x₀.
    /// With <paramref name="clipOriginal"/> every x̂₀ is clamped to [−1, 1] first (pixel samplers; GLIDE/DDPM
    /// <c>clip_denoised</c>). Each step runs in its own <see cref="TensorScope"/>: only the sample (and the solver's
    /// history) survive it.
    /// </summary>
    public static Tensor Run(MiniSolver solver, MiniNoiseSchedule schedule, int steps, Tensor noise, Denoiser denoise,
        bool clipOriginal, StepHook? afterStep = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(denoise);
        int[] timesteps = schedule.SamplingTimesteps(steps);
        Tensor sample = noise;
        Tensor? previousOriginal = null;   // DPM-Solver++(2M): x̂₀ of the previous step
        for (int i = 0; i < timesteps.Length; i++)
        {
            int t = timesteps[i], next = i + 1 < timesteps.Length ? timesteps[i + 1] : -1;
            using var scope = TensorScope.Begin();
            Tensor original = denoise(sample, t);
            if (original.Shape != sample.Shape)
                throw new TensorShapeException("mini sampler", $"denoiser returned {original.Shape} for a sample {sample.Shape} at t = {t}", "x̂₀ of the sample's shape");
            if (clipOriginal) original = original.Clamp(-1f, 1f);
            Tensor updated = solver switch
            {
                MiniSolver.Ddim => DdimStep(schedule, sample, original, t, next),
                MiniSolver.DpmSolverPlusPlus2M => DpmSolverPlusPlus2MStep(schedule, sample, original, previousOriginal,
                    i == 0 ? (int?)null : timesteps[i - 1], t, next),
                _ => throw new ArgumentOutOfRangeException(nameof(solver), solver, "unknown solver"),
            };
            if (afterStep is not null) updated = afterStep(updated, next);
            sample = scope.Keep(updated);
            previousOriginal = scope.Keep(original);
        }
        return sample;
    }

    /// <summary>
    /// DDIM, η = 0 (Song et al. 2021, eq. 12): x_prev = √ᾱ_prev x̂₀ + √(1 − ᾱ_prev) ε̂ with ε̂ = (x_t − √ᾱₜ x̂₀)/√(1 − ᾱₜ).
    /// </summary>
    public static Tensor DdimStep(MiniNoiseSchedule schedule, Tensor sample, Tensor original, int t, int next)
    {
        double alpha = schedule.AlphaCumprod(t), alphaNext = schedule.AlphaCumprod(next);
        float a = (float)Math.Sqrt(alpha), s = (float)Math.Sqrt(1 - alpha);
        float aNext = (float)Math.Sqrt(alphaNext), sNext = (float)Math.Sqrt(1 - alphaNext);
        Tensor epsilon = sample.Sub(original.Mul(a)).Div(s);
        return original.Mul(aNext).Add(epsilon.Mul(sNext));
    }

    /// <summary>
    /// DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2), with λ = log(a/σ) and h = λ_next − λₜ:
    /// x_next = (σ_next/σₜ) x_t − a_next (e^(−h) − 1) D, where D = x̂₀ on the first and the last step (first order) and
    /// D = (1 + 1/(2r)) x̂₀ − 1/(2r) x̂₀_prev otherwise, r = h_prev/h. The last step (to σ = 0) gives x̂₀.
    /// </summary>
    public static Tensor DpmSolverPlusPlus2MStep(MiniNoiseSchedule schedule, Tensor sample, Tensor original, Tensor? previousOriginal,
        int? previous, int t, int next)
    {
        if (next == -1) return original;
        double lambda = Lambda(schedule, t), lambdaNext = Lambda(schedule, next), h = lambdaNext - lambda;
        double sigma = Math.Sqrt(1 - schedule.AlphaCumprod(t)), sigmaNext = Math.Sqrt(1 - schedule.AlphaCumprod(next));
        double aNext = Math.Sqrt(schedule.AlphaCumprod(next));
        Tensor d = original;
        if (previousOriginal is not null && previous is { } p)
        {
            double r = (lambda - Lambda(schedule, p)) / h;
            d = original.Mul((float)(1 + 1 / (2 * r))).Sub(previousOriginal.Mul((float)(1 / (2 * r))));
        }
        return sample.Mul((float)(sigmaNext / sigma)).Sub(d.Mul((float)(aNext * (Math.Exp(-h) - 1))));
    }

    private static double Lambda(MiniNoiseSchedule schedule, int t)
    {
        double alpha = schedule.AlphaCumprod(t);
        return 0.5 * Math.Log(alpha) - 0.5 * Math.Log(1 - alpha);
    }
}
