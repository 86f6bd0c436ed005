using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Schedulers;

/// <summary>The fields of diffusers' <c>LMSDiscreteScheduler</c> config (0.30.3 defaults).</summary>
public sealed record LmsConfig
{
    public const string ClassName = "LMSDiscreteScheduler";

    public int NumTrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.0001;
    public double BetaEnd { get; init; } = 0.02;
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;
    public IReadOnlyList<double>? TrainedBetas { get; init; }

    /// <summary>Karras sigmas for LMS are refused (DPM-Solver++ has them: <c>"dpmpp_2m_karras"</c>).</summary>
    public bool UseKarrasSigmas { get; init; }

    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;
    public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Linspace;
    public int StepsOffset { get; init; }

    /// <summary>Fields of the source config that LMS does not take, kept for later scheduler swaps (diffusers' hidden config).</summary>
    public JsonObject OtherFields { get; init; } = [];

    public static LmsConfig FromConfig(JsonObject config)
    {
        var r = new SchedulerConfigReader(config, ClassName);
        var d = new LmsConfig();
        return new LmsConfig
        {
            NumTrainTimesteps = r.Int("num_train_timesteps", d.NumTrainTimesteps),
            BetaStart = r.Double("beta_start", d.BetaStart),
            BetaEnd = r.Double("beta_end", d.BetaEnd),
            BetaSchedule = r.Choice("beta_schedule", d.BetaSchedule, ConfigNames.BetaSchedules),
            TrainedBetas = r.NullableDoubleList("trained_betas", d.TrainedBetas),
            UseKarrasSigmas = r.Bool("use_karras_sigmas", d.UseKarrasSigmas),
            PredictionType = r.Choice("prediction_type", d.PredictionType, ConfigNames.PredictionTypes),
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
        .Add("use_karras_sigmas", UseKarrasSigmas)
        .Add("prediction_type", ConfigNames.Name(PredictionType))
        .Add("timestep_spacing", ConfigNames.Name(TimestepSpacing))
        .Add("steps_offset", StepsOffset)
        .Build(OtherFields);

    internal NoiseSchedule CreateSchedule() =>
        NoiseSchedule.Create(NumTrainTimesteps, BetaStart, BetaEnd, BetaSchedule, TrainedBetas);
}
