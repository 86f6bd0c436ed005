using System.Text.Json.Nodes;
using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

// Euler: Karras, Aittala, Aila and Laine 2022, "Elucidating the Design Space of Diffusion-Based Generative Models"
// (arXiv:2206.00364), Algorithm 2 with the second-order correction left out: an Euler step of the probability-flow
// ODE dx/dsigma = (x - x0) / sigma, with the optional churn of lines 4-6. Reference: diffusers 0.30.3
// EulerDiscreteScheduler. Differs: s_churn, s_tmin, s_tmax, s_noise are properties; Karras sigmas, log-linear
// interpolation and continuous timesteps are refused. Shapes: every tensor is the latent shape [B, C, H, W].

/// <summary>
/// Euler (<c>"euler"</c>). Like diffusers it draws one noise tensor per step when given a noise source, even with
/// s_churn = 0 where the noise is multiplied by nothing (gotcha G27), so a shared generator advances identically.
/// </summary>
public sealed class EulerScheduler : Scheduler
{
    public EulerScheduler(EulerConfig? config = null)
        : base((config ?? new EulerConfig()).CreateSchedule())
    {
        Config = config ?? new EulerConfig();
        Unsupported.If(Config.UseKarrasSigmas, ClassName, "use_karras_sigmas", "true", "Karras sigmas are implemented for DPM-Solver++ only (\"dpmpp_2m_karras\")");
        Unsupported.If(Config.InterpolationType != "linear", ClassName, "interpolation_type", $"\"{Config.InterpolationType}\"", "only np.interp of the sigma table (\"linear\") is implemented");
        Unsupported.If(Config.TimestepType != "discrete", ClassName, "timestep_type", $"\"{Config.TimestepType}\"", "continuous (EDM) timesteps are not implemented");
    }

    public EulerConfig Config { get; }

    public override string ClassName => EulerConfig.ClassName;

    public override PredictionType PredictionType => Config.PredictionType;

    public override bool HasIntegerTimesteps => false;

    public override float InitNoiseSigma => SigmaSteps.InitNoiseSigma(Sigmas ?? Schedule.SigmaTable, Config.TimestepSpacing);

    /// <summary>Karras' S_churn: the amount of noise re-added per step (0 = deterministic).</summary>
    public double SChurn { get; set; }

    /// <summary>Churn applies only for sigma in [<see cref="STMin"/>, <see cref="STMax"/>].</summary>
    public double STMin { get; set; }

    public double STMax { get; set; } = double.PositiveInfinity;

    /// <summary>Karras' S_noise: the scale of the re-added noise.</summary>
    public double SNoise { get; set; } = 1.0;

    public override JsonObject ToConfig() => Config.ToConfig();

    public override Tensor ScaleModelInput(Tensor sample, double timestep)
    {
        RequireTimesteps(nameof(ScaleModelInput));
        return SigmaSteps.ScaleInput(sample, Sigmas![CurrentStepIndex(timestep, nameof(ScaleModelInput))]);
    }

    protected override (double[] Timesteps, float[]? Sigmas) ComputeTimesteps(int numInferenceSteps)
    {
        double[] timesteps = SpacedTimesteps.Descending(Config.TimestepSpacing, numInferenceSteps, Schedule.NumTrainTimesteps, Config.StepsOffset, LinspaceValues.Float32);
        float finalSigma = Config.FinalSigmasType == "sigma_min" ? Schedule.SigmaTable[0] : 0f;
        return (timesteps, SigmaSteps.Interpolate(timesteps, Schedule, finalSigma));
    }

    protected override void ResetState()
    {
    }

    protected override SchedulerOutput StepCore(Tensor modelOutput, double timestep, Tensor sample, INoiseSource? noise)
    {
        int i = CurrentStepIndex(timestep, nameof(Step));
        var sigmas = Sigmas!;
        float sigma = sigmas[i];

        // Algorithm 2, lines 4-6: gamma = min(S_churn / N, sqrt(2) - 1) inside [S_tmin, S_tmax]; sigma-hat = sigma (1 + gamma).
        double gamma = STMin <= sigma && sigma <= STMax ? Math.Min(SChurn / (sigmas.Count - 1), Math.Sqrt(2) - 1) : 0.0;
        Tensor? eps = noise is not null || gamma > 0
            ? DrawNoise(noise, sample.Shape, "s_churn > 0 re-adds noise") * (float)SNoise
            : null;
        float sigmaHat = sigma * (float)(gamma + 1);
        if (gamma > 0)
            sample = sample + eps! * MathF.Sqrt(sigmaHat * sigmaHat - sigma * sigma);

        // x0 from the model output; for v-prediction at sigma, not sigma-hat (as diffusers).
        var predOriginal = PredictionType == PredictionType.Epsilon
            ? sample - modelOutput * sigmaHat
            : SigmaSteps.PredictOriginal(PredictionType, sample, modelOutput, sigma);

        // Line 7-8: d = (x - x0) / sigma-hat; x_next = x + (sigma_next - sigma-hat) d.
        var derivative = (sample - predOriginal) / sigmaHat;
        float dt = sigmas[i + 1] - sigmaHat;
        var prevSample = sample + derivative * dt;

        AdvanceStepIndex();
        return new SchedulerOutput(prevSample, predOriginal);
    }

    protected override Tensor AddNoiseCore(Tensor original, Tensor noise, double timestep)
    {
        RequireTimesteps(nameof(AddNoise));
        return original + noise * Sigmas![AddNoiseIndex(timestep)];
    }

    protected override Scheduler CreateFresh() => new EulerScheduler(Config) { SChurn = SChurn, STMin = STMin, STMax = STMax, SNoise = SNoise };
}
