using System.Text.Json.Nodes;
using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

// LCM: Luo, Tan, Huang, Li and Zhao 2023, "Latent Consistency Models" (arXiv:2310.04378), Algorithm 3 (multistep
// consistency sampling): f(x, t) = c_skip(t) x + c_out(t) x0(x, t) with the boundary-condition scalings
// c_skip = sigma_data^2 / ((s t)^2 + sigma_data^2), c_out = s t / sqrt((s t)^2 + sigma_data^2), sigma_data = 0.5,
// s = timestep_scaling; then re-noise to the next timestep. Timesteps are picked from the 50-step distillation
// schedule (N=4: 999, 759, 499, 259). Reference: diffusers 0.30.3 LCMScheduler. Differs: custom timesteps and the
// set_timesteps strength argument are not implemented; thresholding is refused.
// Shapes: every tensor is the latent shape [B, C, H, W].

/// <summary>LCM (<c>"lcm"</c>): draws one noise tensor per step except the last.</summary>
public sealed class LcmScheduler : Scheduler
{
    private const float SigmaData = 0.5f; // diffusers get_scalings_for_boundary_condition_discrete default

    private readonly float _finalAlphaCumprod;

    public LcmScheduler(LcmConfig? config = null)
        : base((config ?? new LcmConfig()).CreateSchedule())
    {
        Config = config ?? new LcmConfig();
        Unsupported.If(Config.Thresholding, ClassName, "thresholding", "true", Unsupported.Thresholding);
        if (Config.OriginalInferenceSteps < 1 || Config.OriginalInferenceSteps > Config.NumTrainTimesteps)
            throw new SchedulerConfigException(ClassName, "original_inference_steps", $"= {Config.OriginalInferenceSteps}; expected 1 … num_train_timesteps ({Config.NumTrainTimesteps})");
        _finalAlphaCumprod = Config.SetAlphaToOne ? 1f : Schedule.AlphasCumprod[0];
    }

    public LcmConfig Config { get; }

    public override string ClassName => LcmConfig.ClassName;

    public override PredictionType PredictionType => Config.PredictionType;

    public override JsonObject ToConfig() => Config.ToConfig();

    protected override (double[] Timesteps, float[]? Sigmas) ComputeTimesteps(int numInferenceSteps)
    {
        // LCM distillation schedule: t = k * j - 1 for j = 1 … original_steps, k = T // original_steps.
        int originalSteps = Config.OriginalInferenceSteps;
        int k = Schedule.NumTrainTimesteps / originalSteps;
        if (numInferenceSteps > originalSteps)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps, $"{ClassName}.SetTimesteps: {numInferenceSteps} steps is more than original_inference_steps ({originalSteps}); LCM picks its timesteps from that schedule.");
        var origin = new long[originalSteps];
        for (int j = 0; j < originalSteps; j++)
            origin[j] = (long)(originalSteps - j) * k - 1; // reversed: highest first

        // Evenly spaced picks: floor(linspace(0, len, N, endpoint=False)).
        double[] picks = NumPy.Linspace(0, originalSteps, numInferenceSteps, endpoint: false);
        var timesteps = new double[numInferenceSteps];
        for (int i = 0; i < timesteps.Length; i++)
            timesteps[i] = origin[(int)Math.Floor(picks[i])];
        return (timesteps, null);
    }

    protected override void ResetState()
    {
    }

    protected override SchedulerOutput StepCore(Tensor modelOutput, double timestep, Tensor sample, INoiseSource? noise)
    {
        int i = CurrentStepIndex(timestep, nameof(Step));
        int t = TrainTimestep(timestep, nameof(Step));

        // 1. The next timestep of the schedule (the current one at the end).
        int prevT = i + 1 < Timesteps.Count ? (int)Timesteps[i + 1] : t;

        // 2. alphas and betas.
        float alphaProdT = Schedule.AlphasCumprod[t];
        float alphaProdTPrev = prevT >= 0 ? Schedule.AlphasCumprod[prevT] : _finalAlphaCumprod;
        float betaProdT = 1f - alphaProdT;
        float betaProdTPrev = 1f - alphaProdTPrev;

        // 3. Boundary-condition scalings (c_skip(0) = 1, c_out(0) = 0 so f(x, 0) = x).
        float scaled = t * (float)Config.TimestepScaling;
        float cSkip = SigmaData * SigmaData / (scaled * scaled + SigmaData * SigmaData);
        float cOut = scaled / MathF.Sqrt(scaled * scaled + SigmaData * SigmaData);

        // 4. x0 from the model parameterisation.
        var predOriginal = PredictionType switch
        {
            PredictionType.Epsilon => (sample - modelOutput * MathF.Sqrt(betaProdT)) / MathF.Sqrt(alphaProdT),
            PredictionType.Sample => modelOutput,
            _ => sample * MathF.Sqrt(alphaProdT) - modelOutput * MathF.Sqrt(betaProdT),
        };

        // 5. Optional clipping of x0.
        if (Config.ClipSample)
            predOriginal = predOriginal.Clamp((float)-Config.ClipSampleRange, (float)Config.ClipSampleRange);

        // 6. The consistency function f(x, t).
        var denoised = predOriginal * cOut + sample * cSkip;

        // 7. Re-noise to the next timestep, except after the last step.
        Tensor prevSample;
        if (i != Timesteps.Count - 1)
        {
            var z = DrawNoise(noise, sample.Shape, "multistep consistency sampling re-noises to the next timestep");
            prevSample = denoised * MathF.Sqrt(alphaProdTPrev) + z * MathF.Sqrt(betaProdTPrev);
        }
        else
        {
            prevSample = denoised;
        }

        AdvanceStepIndex();
        return new SchedulerOutput(prevSample, predOriginal, denoised);
    }

    protected override Tensor AddNoiseCore(Tensor original, Tensor noise, double timestep) =>
        Schedule.AddNoise(original, noise, TrainTimestep(timestep, nameof(AddNoise)));

    protected override Scheduler CreateFresh() => new LcmScheduler(Config);
}
