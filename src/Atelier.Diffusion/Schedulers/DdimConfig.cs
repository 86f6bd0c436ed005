using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Schedulers;

/// <summary>The fields of diffusers' <c>DDIMScheduler</c> config (0.30.3 defaults).</summary>
public sealed record DdimConfig
{
    public const string ClassName = "DDIMScheduler";

    public int NumTrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.0001;
    public double BetaEnd { get; init; } = 0.02;
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;
    public IReadOnlyList<double>? TrainedBetas { get; init; }
    public bool ClipSample { get; init; } = true;

    /// <summary>Whether the step past timestep 0 uses alpha-bar = 1 (true) or alpha-bar[0] (false, SD: gotcha G25).</summary>
    public bool SetAlphaToOne { get; init; } = true;

    public int StepsOffset { get; init; }
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;
    public bool Thresholding { get; init; }
    public double DynamicThresholdingRatio { get; init; } = 0.995;
    public double ClipSampleRange { get; init; } = 1.0;
    public double SampleMaxValue { get; init; } = 1.0;
    public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Leading;
    public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>Fields of the source config that DDIM does not take, kept for later scheduler swaps (diffusers' hidden config).</summary>
    public JsonObject OtherFields { get; init; } = [];

    public static DdimConfig FromConfig(JsonObject config)
    {
        var r = new SchedulerConfigReader(config, ClassName);
        var d = new DdimConfig();
        return new DdimConfig
        {
            NumTrainTimesteps = r.Int("num_train_timesteps", d.NumTrainTimesteps),
            BetaStart = r.Double("beta_start", d.BetaStart),
            BetaEnd = r.Double("beta_end", d.BetaEnd),
            BetaSchedule = r.Choice("beta_schedule", d.BetaSchedule, ConfigNames.BetaSchedules),
            TrainedBetas = r.NullableDoubleList("trained_betas", d.TrainedBetas),
            ClipSample = r.Bool("clip_sample", d.ClipSample),
            SetAlphaToOne = r.Bool("set_alpha_to_one", d.SetAlphaToOne),
            StepsOffset = r.Int("steps_offset", d.StepsOffset),
            PredictionType = r.Choice("prediction_type", d.PredictionType, ConfigNames.PredictionTypes),
            Thresholding = r.Bool("thresholding", d.Thresholding),
            DynamicThresholdingRatio = r.Double("dynamic_thresholding_ratio", d.DynamicThresholdingRatio),
            ClipSampleRange = r.Double("clip_sample_range", d.ClipSampleRange),
            SampleMaxValue = r.Double("sample_max_value", d.SampleMaxValue),
            TimestepSpacing = r.Choice("timestep_spacing", d.TimestepSpacing, ConfigNames.TimestepSpacings),
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
        .Add("clip_sample", ClipSample)
        .Add("set_alpha_to_one", SetAlphaToOne)
        .Add("steps_offset", StepsOffset)
        .Add("prediction_type", ConfigNames.Name(PredictionType))
        .Add("thresholding", Thresholding)
        .Add("dynamic_thresholding_ratio", DynamicThresholdingRatio)
        .Add("clip_sample_range", ClipSampleRange)
        .Add("sample_max_value", SampleMaxValue)
        .Add("timestep_spacing", ConfigNames.Name(TimestepSpacing))
        .Add("rescale_betas_zero_snr", RescaleBetasZeroSnr)
        .Build(OtherFields);

    internal NoiseSchedule CreateSchedule() =>
        NoiseSchedule.Create(NumTrainTimesteps, BetaStart, BetaEnd, BetaSchedule, TrainedBetas, RescaleBetasZeroSnr);
}
