using System.Text.Json.Nodes;
using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

// DDPM: Ho, Jain and Abbeel 2020, "Denoising Diffusion Probabilistic Models" (arXiv:2006.11239): x0 from eq. 15, the
// posterior mean of eq. 7 and the variance of eq. 6/7 (sigma_t^2 = beta-tilde_t, "fixed_small"). Reference: diffusers
// 0.30.3 DDPMScheduler with strided ("respaced") timesteps: the previous timestep is t - T // N. Differs: learned
// variances and dynamic thresholding are refused. Shapes: every tensor is the latent shape [B, C, H, W].

/// <summary>DDPM ancestral sampling (<c>"ddpm"</c>): draws one noise tensor per step while t &gt; 0.</summary>
public sealed class DdpmScheduler : Scheduler
{
    public DdpmScheduler(DdpmConfig? config = null)
        : base((config ?? new DdpmConfig()).CreateSchedule())
    {
        Config = config ?? new DdpmConfig();
        Unsupported.If(Config.Thresholding, ClassName, "thresholding", "true", Unsupported.Thresholding);
        Unsupported.If(Config.VarianceType is not ("fixed_small" or "fixed_small_log" or "fixed_large"), ClassName, "variance_type",
            $"\"{Config.VarianceType}\"", "only the fixed variances fixed_small, fixed_small_log and fixed_large are implemented; learned variances need a model with 2C output channels");
    }

    public DdpmConfig Config { get; }

    public override string ClassName => DdpmConfig.ClassName;

    public override PredictionType PredictionType => Config.PredictionType;

    public override JsonObject ToConfig() => Config.ToConfig();

    /// <summary>The v-prediction training target at <paramref name="timestep"/> (see <see cref="NoiseSchedule.GetVelocity"/>).</summary>
    public Tensor GetVelocity(Tensor sample, Tensor noise, double timestep) =>
        Schedule.GetVelocity(sample, noise, TrainTimestep(timestep, nameof(GetVelocity)));

    protected override (double[] Timesteps, float[]? Sigmas) ComputeTimesteps(int numInferenceSteps) =>
        (SpacedTimesteps.Descending(Config.TimestepSpacing, numInferenceSteps, Schedule.NumTrainTimesteps, Config.StepsOffset, LinspaceValues.Rounded), null);

    protected override void ResetState()
    {
    }

    protected override SchedulerOutput StepCore(Tensor modelOutput, double timestep, Tensor sample, INoiseSource? noise)
    {
        int t = TrainTimestep(timestep, nameof(Step));
        int prevT = t - Schedule.NumTrainTimesteps / NumInferenceSteps;

        // 1. alphas and betas of the (strided) step t -> prevT; alpha-bar = 1 before the start.
        float alphaProdT = Schedule.AlphasCumprod[t];
        float alphaProdTPrev = prevT >= 0 ? Schedule.AlphasCumprod[prevT] : 1f;
        float betaProdT = 1f - alphaProdT;
        float betaProdTPrev = 1f - alphaProdTPrev;
        float currentAlphaT = alphaProdT / alphaProdTPrev;
        float currentBetaT = 1f - currentAlphaT;

        // 2. x0 (eq. 15 for eps).
        var predOriginal = PredictionType switch
        {
            PredictionType.Epsilon => (sample - modelOutput * MathF.Sqrt(betaProdT)) / MathF.Sqrt(alphaProdT),
            PredictionType.Sample => modelOutput,
            _ => sample * MathF.Sqrt(alphaProdT) - modelOutput * MathF.Sqrt(betaProdT),
        };

        // 3. Optional clipping of x0.
        if (Config.ClipSample)
            predOriginal = predOriginal.Clamp((float)-Config.ClipSampleRange, (float)Config.ClipSampleRange);

        // 4-5. Posterior mean, eq. 7: mu = sqrt(a_{t-1}) beta_t / (1 - a_t) x0 + sqrt(alpha_t) (1 - a_{t-1}) / (1 - a_t) x_t.
        float originalCoeff = MathF.Sqrt(alphaProdTPrev) * currentBetaT / betaProdT;
        float sampleCoeff = MathF.Sqrt(currentAlphaT) * betaProdTPrev / betaProdT;
        var prevSample = predOriginal * originalCoeff + sample * sampleCoeff;

        // 6. + sigma_t z while t > 0.
        if (t > 0)
        {
            var z = DrawNoise(noise, sample.Shape, "DDPM adds sigma_t * z at every step with t > 0");
            prevSample = prevSample + z * StandardDeviation(alphaProdT, alphaProdTPrev, currentBetaT);
        }
        return new SchedulerOutput(prevSample, predOriginal);
    }

    protected override Tensor AddNoiseCore(Tensor original, Tensor noise, double timestep) =>
        Schedule.AddNoise(original, noise, TrainTimestep(timestep, nameof(AddNoise)));

    protected override Scheduler CreateFresh() => new DdpmScheduler(Config);

    // diffusers _get_variance: beta-tilde_t = (1 - a_{t-1}) / (1 - a_t) * beta_t, clamped to 1e-20 (eq. 7).
    private float StandardDeviation(float alphaProdT, float alphaProdTPrev, float currentBetaT)
    {
        float variance = MathF.Max((1f - alphaProdTPrev) / (1f - alphaProdT) * currentBetaT, 1e-20f);
        return Config.VarianceType switch
        {
            "fixed_small" => MathF.Sqrt(variance),
            "fixed_small_log" => MathF.Exp(0.5f * MathF.Log(variance)),
            _ => MathF.Sqrt(currentBetaT), // fixed_large: beta_t (Ho et al. 2020, §3.2)
        };
    }
}
