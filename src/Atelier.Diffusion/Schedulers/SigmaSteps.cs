using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// What the sigma schedulers (Euler, Euler ancestral, LMS, Heun) share: sigmas at the chosen timesteps by linear
/// interpolation of the float32 sigma table in float64 (np.interp, then cast to float32: gotcha G27), the initial
/// noise scale, the input scaling c_in = 1 / sqrt(sigma^2 + 1) and x0 from the model output (Karras et al. 2022,
/// Table 1, for the VP network parameterisation; v-prediction per gotcha G28).
/// </summary>
internal static class SigmaSteps
{
    /// <summary>np.interp(timesteps, arange(T), sigma_table) cast to float32, then <paramref name="finalSigma"/> appended.</summary>
    public static float[] Interpolate(IReadOnlyList<double> timesteps, NoiseSchedule schedule, float finalSigma)
    {
        var table = schedule.SigmaTable;
        var xp = new double[table.Count];
        var fp = new double[table.Count];
        for (int i = 0; i < xp.Length; i++)
        {
            xp[i] = i;
            fp[i] = table[i];
        }
        var sigmas = new float[timesteps.Count + 1];
        for (int i = 0; i < timesteps.Count; i++)
            sigmas[i] = (float)NumPy.Interp(timesteps[i], xp, fp);
        sigmas[^1] = finalSigma;
        return sigmas;
    }

    /// <summary>
    /// diffusers' <c>init_noise_sigma</c>: the largest sigma for linspace / trailing spacing, sqrt(sigma_max^2 + 1) for
    /// leading (a historical inconsistency that SD 1.5 pipelines inherit: 4.2364 at N = 4).
    /// </summary>
    public static float InitNoiseSigma(IReadOnlyList<float> sigmas, TimestepSpacing spacing)
    {
        float max = sigmas.Max();
        return spacing is TimestepSpacing.Linspace or TimestepSpacing.Trailing ? max : MathF.Sqrt(max * max + 1f);
    }

    /// <summary>sample / sqrt(sigma^2 + 1): the UNet sees unit-variance input.</summary>
    public static Tensor ScaleInput(Tensor sample, float sigma) => sample / MathF.Sqrt(sigma * sigma + 1f);

    /// <summary>
    /// x0 from the model output at noise level <paramref name="sigma"/>: eps -> x - sigma * eps;
    /// v -> v * (-sigma / sqrt(sigma^2 + 1)) + x / (sigma^2 + 1); sample -> the output itself.
    /// </summary>
    public static Tensor PredictOriginal(PredictionType type, Tensor sample, Tensor modelOutput, float sigma) => type switch
    {
        PredictionType.Epsilon => sample - modelOutput * sigma,
        PredictionType.VPrediction => modelOutput * (-sigma / MathF.Sqrt(sigma * sigma + 1f)) + sample / (sigma * sigma + 1f),
        PredictionType.Sample => modelOutput,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown prediction type"),
    };
}
