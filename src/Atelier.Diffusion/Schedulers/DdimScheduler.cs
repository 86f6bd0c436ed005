using System.Text.Json.Nodes;
using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

// DDIM: Song, Meng and Ermon 2021, "Denoising Diffusion Implicit Models" (arXiv:2010.02502), eq. 12 (the update) and
// eq. 16 (sigma_t(eta)). Reference: diffusers 0.30.3 DDIMScheduler. Differs: eta and use_clipped_model_output are
// properties, not step arguments; the variance noise comes from the INoiseSource; dynamic thresholding is refused.
// Shapes: every tensor is the latent shape [B, C, H, W].

/// <summary>DDIM (<c>"ddim"</c>): deterministic for <see cref="Eta"/> = 0, ancestral-like for eta = 1.</summary>
public sealed class DdimScheduler : Scheduler
{
    private readonly float _finalAlphaCumprod;

    public DdimScheduler(DdimConfig? config = null)
        : base((config ?? new DdimConfig()).CreateSchedule())
    {
        Config = config ?? new DdimConfig();
        Unsupported.If(Config.Thresholding, ClassName, "thresholding", "true", Unsupported.Thresholding);
        _finalAlphaCumprod = Config.SetAlphaToOne ? 1f : Schedule.AlphasCumprod[0];
    }

    public DdimConfig Config { get; }

    public override string ClassName => DdimConfig.ClassName;

    public override PredictionType PredictionType => Config.PredictionType;

    /// <summary>eta of eq. 16: 0 = DDIM (no noise), 1 = the DDPM posterior variance. The pipeline's <c>eta</c>.</summary>
    public double Eta { get; set; }

    /// <summary>Re-derive eps from the clipped x0 (diffusers <c>use_clipped_model_output</c>, as in GLIDE).</summary>
    public bool UseClippedModelOutput { get; set; }

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
        // 1. The previous timestep is t - T // N whatever the spacing (gotcha G25).
        int prevT = t - Schedule.NumTrainTimesteps / NumInferenceSteps;

        // 2. alpha-bar_t, alpha-bar_{t-1} (alpha-bar[0] or 1 past the start, per set_alpha_to_one).
        float alphaProdT = Schedule.AlphasCumprod[t];
        float alphaProdTPrev = prevT >= 0 ? Schedule.AlphasCumprod[prevT] : _finalAlphaCumprod;
        float betaProdT = 1f - alphaProdT;

        // 3. "predicted x0" of eq. 12, and the noise it implies.
        Tensor predOriginal, predEpsilon;
        switch (PredictionType)
        {
            case PredictionType.Epsilon:
                predOriginal = (sample - modelOutput * MathF.Sqrt(betaProdT)) / MathF.Sqrt(alphaProdT);
                predEpsilon = modelOutput;
                break;
            case PredictionType.Sample:
                predOriginal = modelOutput;
                predEpsilon = (sample - predOriginal * MathF.Sqrt(alphaProdT)) / MathF.Sqrt(betaProdT);
                break;
            default:
                predOriginal = sample * MathF.Sqrt(alphaProdT) - modelOutput * MathF.Sqrt(betaProdT);
                predEpsilon = modelOutput * MathF.Sqrt(alphaProdT) + sample * MathF.Sqrt(betaProdT);
                break;
        }

        // 4. Optional clipping of x0.
        if (Config.ClipSample)
            predOriginal = predOriginal.Clamp((float)-Config.ClipSampleRange, (float)Config.ClipSampleRange);

        // 5. sigma_t(eta) = eta * sqrt((1 - a_{t-1}) / (1 - a_t)) * sqrt(1 - a_t / a_{t-1})   (eq. 16)
        float variance = (1f - alphaProdTPrev) / betaProdT * (1f - alphaProdT / alphaProdTPrev);
        float stdDevT = (float)Eta * MathF.Sqrt(variance);

        if (UseClippedModelOutput)
            predEpsilon = (sample - predOriginal * MathF.Sqrt(alphaProdT)) / MathF.Sqrt(betaProdT);

        // 6. "direction pointing to x_t" of eq. 12.
        var direction = predEpsilon * MathF.Sqrt(1f - alphaProdTPrev - stdDevT * stdDevT);

        // 7. x_{t-1} = sqrt(a_{t-1}) * x0 + direction (+ sigma_t * z).
        var prevSample = predOriginal * MathF.Sqrt(alphaProdTPrev) + direction;
        if (Eta > 0)
            prevSample = prevSample + DrawNoise(noise, sample.Shape, "eta > 0 adds sigma_t * z, eq. 12") * stdDevT;

        return new SchedulerOutput(prevSample, predOriginal);
    }

    protected override Tensor AddNoiseCore(Tensor original, Tensor noise, double timestep) =>
        Schedule.AddNoise(original, noise, TrainTimestep(timestep, nameof(AddNoise)));

    protected override Scheduler CreateFresh() => new DdimScheduler(Config) { Eta = Eta, UseClippedModelOutput = UseClippedModelOutput };
}
