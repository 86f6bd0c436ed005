using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Schedulers;

/// <summary>The fields of diffusers' <c>LCMScheduler</c> config (0.30.3 defaults).</summary>
public sealed record LcmConfig
{
    public const string ClassName = "LCMScheduler";

    public int NumTrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.00085;
    public double BetaEnd { get; init; } = 0.012;
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.ScaledLinear;
    public IReadOnlyList<double>? TrainedBetas { get; init; }

    /// <summary>The distillation schedule's step count; inference timesteps are picked from it (gotcha G27).</summary>
    public int OriginalInferenceSteps { get; init; } = 50;

    public bool ClipSample { get; init; }
    public double ClipSampleRange { get; init; } = 1.0;
    public bool SetAlphaToOne { get; init; } = true;
    public int StepsOffset { get; init; }
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;
    public bool Thresholding { get; init; }
    public double DynamicThresholdingRatio { get; init; } = 0.995;
    public double SampleMaxValue { get; init; } = 1.0;

    /// <summary>Kept for config compatibility; LCM ignores the spacing (its timesteps come from the origin schedule).</summary>
    public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Leading;

    /// <summary>Multiplies t in the boundary-condition scalings c_skip, c_out.</summary>
    public double TimestepScaling { get; init; } = 10.0;

    public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>Fields of the source config that LCM does not take, kept for later scheduler swaps (diffusers' hidden config).</summary>
    public JsonObject OtherFields { get; init; } = [];

    public static LcmConfig FromConfig(JsonObject config)
    {
        var r = new SchedulerConfigReader(config, ClassName);
        var d = new LcmConfig();
        return new LcmConfig
        {
            NumTrainTimesteps = r.Int("num_train_timesteps", d.NumTrainTimesteps),
            BetaStart = r.Double("beta_start", d.BetaStart),
            BetaEnd = r.Double("beta_end", d.BetaEnd),
            BetaSchedule = r.Choice("beta_schedule", d.BetaSchedule, ConfigNames.BetaSchedules),
            TrainedBetas = r.NullableDoubleList("trained_betas", d.TrainedBetas),
            OriginalInferenceSteps = r.Int("original_inference_steps", d.OriginalInferenceSteps),
            ClipSample = r.Bool("clip_sample", d.ClipSample),
            ClipSampleRange = r.Double("clip_sample_range", d.ClipSampleRange),
            SetAlphaToOne = r.Bool("set_alpha_to_one", d.SetAlphaToOne),
            StepsOffset = r.Int("steps_offset", d.StepsOffset),
            PredictionType = r.Choice("prediction_type", d.PredictionType, ConfigNames.PredictionTypes),
            Thresholding = r.Bool("thresholding", d.Thresholding),
            DynamicThresholdingRatio = r.Double("dynamic_thresholding_ratio", d.DynamicThresholdingRatio),
            SampleMaxValue = r.Double("sample_max_value", d.SampleMaxValue),
            TimestepSpacing = r.Choice("timestep_spacing", d.TimestepSpacing, ConfigNames.TimestepSpacings),
            TimestepScaling = r.Double("timestep_scaling", d.TimestepScaling),
            RescaleBetasZeroSnr = r.Bool("rescale_betas_zero_snr", d.RescaleBetasZeroSnr),
            OtherFields = r.Others(),
        };
    }

    public JsonObject ToConfig() => new SchedulerConfigWriter()
        .Add("num_train_timesteps", NumTrainTimesteps)
        .Add("beta_start", BetaStart)
        .Add("beta_end", BetaEnd)
        .Add("beta_schedule", ConfigNames.Name(BetaSchedule))
        .Add("trained_betas", TrainedBetas)
        .Add("original_inference_steps", OriginalInferenceSteps)
        .Add("clip_sample", ClipSample)
        .Add("clip_sample_range", ClipSampleRange)
        .Add("set_alpha_to_one", SetAlphaToOne)
        .Add("steps_offset", StepsOffset)
        .Add("prediction_type", ConfigNames.Name(PredictionType))
        .Add("thresholding", Thresholding)
        .Add("dynamic_thresholding_ratio", DynamicThresholdingRatio)
        .Add("sample_max_value", SampleMaxValue)
        .Add("timestep_spacing", ConfigNames.Name(TimestepSpacing))
        .Add("timestep_scaling", TimestepScaling)
        .Add("rescale_betas_zero_snr", RescaleBetasZeroSnr)
        .Build(OtherFields);

    internal NoiseSchedule CreateSchedule() =>
        NoiseSchedule.Create(NumTrainTimesteps, BetaStart, BetaEnd, BetaSchedule, TrainedBetas, RescaleBetasZeroSnr);
}
