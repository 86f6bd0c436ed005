using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Schedulers;

/// <summary>The fields of diffusers' <c>HeunDiscreteScheduler</c> config (0.30.3 defaults).</summary>
public sealed record HeunConfig
{
    public const string ClassName = "HeunDiscreteScheduler";

    public int NumTrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.00085;
    public double BetaEnd { get; init; } = 0.012;
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;
    public IReadOnlyList<double>? TrainedBetas { get; init; }
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;

    /// <summary>Karras sigmas for Heun are refused (DPM-Solver++ has them: <c>"dpmpp_2m_karras"</c>).</summary>
    public bool UseKarrasSigmas { get; init; }

    public bool ClipSample { get; init; }
    public double ClipSampleRange { get; init; } = 1.0;
    public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Linspace;
    public int StepsOffset { get; init; }

    /// <summary>Fields of the source config that Heun does not take, kept for later scheduler swaps (diffusers' hidden config).</summary>
    public JsonObject OtherFields { get; init; } = [];

    public static HeunConfig FromConfig(JsonObject config)
    {
        var r = new SchedulerConfigReader(config, ClassName);
        var d = new HeunConfig();
        return new HeunConfig
        {
            NumTrainTimesteps = r.Int("num_train_timesteps", d.NumTrainTimesteps),
            BetaStart = r.Double("beta_start", d.BetaStart),
            BetaEnd = r.Double("beta_end", d.BetaEnd),
            BetaSchedule = r.Choice("beta_schedule", d.BetaSchedule, ConfigNames.BetaSchedules),
            TrainedBetas = r.NullableDoubleList("trained_betas", d.TrainedBetas),
            PredictionType = r.Choice("prediction_type", d.PredictionType, ConfigNames.PredictionTypes),
            UseKarrasSigmas = r.Bool("use_karras_sigmas", d.UseKarrasSigmas),
            ClipSample = r.Bool("clip_sample", d.ClipSample),
            ClipSampleRange = r.Double("clip_sample_range", d.ClipSampleRange),
            TimestepSpacing = r.Choice("timestep_spacing", d.TimestepSpacing, ConfigNames.TimestepSpacings),
            StepsOffset = r.Int("steps_offset", d.StepsOffset),
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
        .Add("use_karras_sigmas", UseKarrasSigmas)
        .Add("clip_sample", ClipSample)
        .Add("clip_sample_range", ClipSampleRange)
        .Add("timestep_spacing", ConfigNames.Name(TimestepSpacing))
        .Add("steps_offset", StepsOffset)
        .Build(OtherFields);

    internal NoiseSchedule CreateSchedule() =>
        NoiseSchedule.Create(NumTrainTimesteps, BetaStart, BetaEnd, BetaSchedule, TrainedBetas);
}
