using System.Text.Json.Nodes;
using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

// Euler ancestral: k-diffusion's sample_euler_ancestral (Crowson), the ancestral sampling of Ho et al. 2020 written in
// Karras et al. 2022's sigma parameterisation: split the step to sigma_next into a deterministic Euler step to
// sigma_down and fresh noise of size sigma_up, with sigma_up^2 = sigma_next^2 (sigma^2 - sigma_next^2) / sigma^2 and
// sigma_down^2 = sigma_next^2 - sigma_up^2. Reference: diffusers 0.30.3 EulerAncestralDiscreteScheduler.
// Shapes: every tensor is the latent shape [B, C, H, W].

/// <summary>Euler ancestral (<c>"euler_a"</c>): draws one noise tensor every step (also the last, multiplied by sigma_up = 0).</summary>
public sealed class EulerAncestralScheduler : Scheduler
{
    public EulerAncestralScheduler(EulerAncestralConfig? config = null)
        : base((config ?? new EulerAncestralConfig()).CreateSchedule())
    {
        Config = config ?? new EulerAncestralConfig();
        Unsupported.If(Config.PredictionType == PredictionType.Sample, ClassName, "prediction_type", "\"sample\"", "diffusers' Euler ancestral takes epsilon or v_prediction only");
    }

    public EulerAncestralConfig Config { get; }

    public override string ClassName => EulerAncestralConfig.ClassName;

    public override PredictionType PredictionType => Config.PredictionType;

    public override bool HasIntegerTimesteps => false;

    public override float InitNoiseSigma => SigmaSteps.InitNoiseSigma(Sigmas ?? Schedule.SigmaTable, Config.TimestepSpacing);

    public override JsonObject ToConfig() => Config.ToConfig();

    public override Tensor ScaleModelInput(Tensor sample, double timestep)
    {
        RequireTimesteps(nameof(ScaleModelInput));
        return SigmaSteps.ScaleInput(sample, Sigmas![CurrentStepIndex(timestep, nameof(ScaleModelInput))]);
    }

    protected override (double[] Timesteps, float[]? Sigmas) ComputeTimesteps(int numInferenceSteps)
    {
        double[] timesteps = SpacedTimesteps.Descending(Config.TimestepSpacing, numInferenceSteps, Schedule.NumTrainTimesteps, Config.StepsOffset, LinspaceValues.Float32);
        return (timesteps, SigmaSteps.Interpolate(timesteps, Schedule, 0f));
    }

    protected override void ResetState()
    {
    }

    protected override SchedulerOutput StepCore(Tensor modelOutput, double timestep, Tensor sample, INoiseSource? noise)
    {
        int i = CurrentStepIndex(timestep, nameof(Step));
        float sigma = Sigmas![i];
        var predOriginal = SigmaSteps.PredictOriginal(PredictionType, sample, modelOutput, sigma);

        float sigmaFrom = sigma;
        float sigmaTo = Sigmas[i + 1];
        float sigmaUp = MathF.Sqrt(sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo) / (sigmaFrom * sigmaFrom));
        float sigmaDown = MathF.Sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);

        // Euler step to sigma_down, then noise of sigma_up.
        var derivative = (sample - predOriginal) / sigma;
        float dt = sigmaDown - sigma;
        var prevSample = sample + derivative * dt;
        var z = DrawNoise(noise, sample.Shape, "ancestral sampling adds fresh noise every step");
        prevSample = prevSample + z * sigmaUp;

        AdvanceStepIndex();
        return new SchedulerOutput(prevSample, predOriginal);
    }

    protected override Tensor AddNoiseCore(Tensor original, Tensor noise, double timestep)
    {
        RequireTimesteps(nameof(AddNoise));
        return original + noise * Sigmas![AddNoiseIndex(timestep)];
    }

    protected override Scheduler CreateFresh() => new EulerAncestralScheduler(Config);
}
