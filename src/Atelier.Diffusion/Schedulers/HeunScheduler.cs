using System.Text.Json.Nodes;
using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

// Heun: Karras, Aittala, Aila and Laine 2022, "Elucidating the Design Space of Diffusion-Based Generative Models"
// (arXiv:2206.00364), Algorithm 1 (deterministic, gamma = 0): an Euler step to sigma_{i+1}, then a second model call
// there and the trapezoidal correction x_{i+1} = x_i + (sigma_{i+1} - sigma_i) (d_i + d'_{i+1}) / 2. The last step
// has sigma_{i+1} = 0 and is Euler only. Reference: diffusers 0.30.3 HeunDiscreteScheduler. Differs: Karras sigmas
// are refused. Shapes: every tensor is the latent shape [B, C, H, W].

/// <summary>
/// Heun (<c>"heun"</c>): 2N - 1 model calls over repeated timesteps (N=4: 751, 501, 501, 251, 251, 1, 1); the first
/// call of a pair stores d_i, dt and x_i, the second completes the step from them.
/// </summary>
public sealed class HeunScheduler : Scheduler
{
    private HeldTensor? _prevDerivative;
    private HeldTensor? _firstSample;
    private float? _dt;

    public HeunScheduler(HeunConfig? config = null)
        : base((config ?? new HeunConfig()).CreateSchedule())
    {
        Config = config ?? new HeunConfig();
        Unsupported.If(Config.UseKarrasSigmas, ClassName, "use_karras_sigmas", "true", "Karras sigmas are implemented for DPM-Solver++ only (\"dpmpp_2m_karras\")");
    }

    public HeunConfig Config { get; }

    public override string ClassName => HeunConfig.ClassName;

    public override PredictionType PredictionType => Config.PredictionType;

    public override int Order => 2;

    public override bool HasIntegerTimesteps => false;

    public override float InitNoiseSigma => SigmaSteps.InitNoiseSigma(Sigmas ?? Schedule.SigmaTable, Config.TimestepSpacing);

    /// <summary>True when the next call is the first (Euler) half of a step.</summary>
    public bool InFirstOrderState => _dt is null;

    public override JsonObject ToConfig() => Config.ToConfig();

    public override Tensor ScaleModelInput(Tensor sample, double timestep)
    {
        RequireTimesteps(nameof(ScaleModelInput));
        return SigmaSteps.ScaleInput(sample, Sigmas![CurrentStepIndex(timestep, nameof(ScaleModelInput))]);
    }

    protected override (double[] Timesteps, float[]? Sigmas) ComputeTimesteps(int numInferenceSteps)
    {
        double[] once = SpacedTimesteps.Descending(Config.TimestepSpacing, numInferenceSteps, Schedule.NumTrainTimesteps, Config.StepsOffset, LinspaceValues.Float32);
        float[] sigmasOnce = SigmaSteps.Interpolate(once, Schedule, 0f);
        // timesteps = [t0, t1, t1, …, t_{N-1}, t_{N-1}]; sigmas = [s0, s1, s1, …, s_{N-1}, s_{N-1}, 0].
        int n = once.Length;
        var timesteps = new double[2 * n - 1];
        var sigmas = new float[2 * n];
        timesteps[0] = once[0];
        sigmas[0] = sigmasOnce[0];
        for (int i = 1; i < n; i++)
        {
            timesteps[2 * i - 1] = timesteps[2 * i] = once[i];
            sigmas[2 * i - 1] = sigmas[2 * i] = sigmasOnce[i];
        }
        sigmas[^1] = sigmasOnce[^1];
        return (timesteps, sigmas);
    }

    protected override void ResetState()
    {
        _prevDerivative = null;
        _firstSample = null;
        _dt = null;
    }

    protected override SchedulerOutput StepCore(Tensor modelOutput, double timestep, Tensor sample, INoiseSource? noise)
    {
        int i = CurrentStepIndex(timestep, nameof(Step));
        var sigmas = Sigmas!;
        bool first = InFirstOrderState;
        float sigma = first ? sigmas[i] : sigmas[i - 1];
        float sigmaNext = first ? sigmas[i + 1] : sigmas[i];
        float sigmaHat = sigma; // gamma = 0

        // x0 at the noise level the model saw: sigma-hat in the first half, sigma_next in the second.
        float sigmaInput = first ? sigmaHat : sigmaNext;
        var predOriginal = SigmaSteps.PredictOriginal(PredictionType, sample, modelOutput, sigmaInput);
        if (Config.ClipSample)
            predOriginal = predOriginal.Clamp((float)-Config.ClipSampleRange, (float)Config.ClipSampleRange);

        Tensor derivative;
        float dt;
        if (first)
        {
            // Euler half: d_i = (x_i - x0) / sigma_i, dt = sigma_{i+1} - sigma_i; keep them for the second half.
            derivative = (sample - predOriginal) / sigmaHat;
            dt = sigmaNext - sigmaHat;
            _prevDerivative = new HeldTensor(derivative);
            _firstSample = new HeldTensor(sample);
            _dt = dt;
        }
        else
        {
            // Correction: d = (d_i + d'_{i+1}) / 2 applied from x_i.
            var derivativeNext = (sample - predOriginal) / sigmaNext;
            derivative = (_prevDerivative!.ToTensor() + derivativeNext) / 2f;
            dt = _dt!.Value;
            sample = _firstSample!.ToTensor();
            _prevDerivative = null;
            _firstSample = null;
            _dt = null;
        }
        var prevSample = sample + derivative * dt;

        AdvanceStepIndex();
        return new SchedulerOutput(prevSample, predOriginal);
    }

    protected override Tensor AddNoiseCore(Tensor original, Tensor noise, double timestep)
    {
        RequireTimesteps(nameof(AddNoise));
        return original + noise * Sigmas![AddNoiseIndex(timestep)];
    }

    protected override Scheduler CreateFresh() => new HeunScheduler(Config);
}
