using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Schedulers;

/// <summary>The fields of diffusers' <c>EulerAncestralDiscreteScheduler</c> config (0.30.3 defaults).</summary>
public sealed record EulerAncestralConfig
{
    public const string ClassName = "EulerAncestralDiscreteScheduler";

    public int NumTrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.0001;
    public double BetaEnd { get; init; } = 0.02;
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;
    public IReadOnlyList<double>? TrainedBetas { get; init; }
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;
    public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Linspace;
    public int StepsOffset { get; init; }
    public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>Fields of the source config that Euler ancestral does not take, kept for later scheduler swaps (diffusers' hidden config).</summary>
    public JsonObject OtherFields { get; init; } = [];

    public static EulerAncestralConfig FromConfig(JsonObject config)
    {
        var r = new SchedulerConfigReader(config, ClassName);
        var d = new EulerAncestralConfig();
        return new EulerAncestralConfig
        {
            NumTrainTimesteps = r.Int("num_train_timesteps", d.NumTrainTimesteps),
            BetaStart = r.Double("beta_start", d.BetaStart),
            BetaEnd = r.Double("beta_end", d.BetaEnd),
            BetaSchedule = r.Choice("beta_schedule", d.BetaSchedule, ConfigNames.BetaSchedules),
            TrainedBetas = r.NullableDoubleList("trained_betas", d.TrainedBetas),
            PredictionType = r.Choice("prediction_type", d.PredictionType, ConfigNames.PredictionTypes),
            TimestepSpacing = r.Choice("timestep_spacing", d.TimestepSpacing, ConfigNames.TimestepSpacings),
            StepsOffset = r.Int("steps_offset", d.StepsOffset),
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
        .Add("prediction_type", ConfigNames.Name(PredictionType))
        .Add("timestep_spacing", ConfigNames.Name(TimestepSpacing))
        .Add("steps_offset", StepsOffset)
        .Add("rescale_betas_zero_snr", RescaleBetasZeroSnr)
        .Build(OtherFields);

    internal NoiseSchedule CreateSchedule()
    {
        var schedule = NoiseSchedule.Create(NumTrainTimesteps, BetaStart, BetaEnd, BetaSchedule, TrainedBetas, RescaleBetasZeroSnr);
        return RescaleBetasZeroSnr ? schedule.WithFinalAlphaCumprod(MathF.Pow(2, -24)) : schedule;
    }
}
