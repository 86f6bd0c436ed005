using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Schedulers;

/// <summary>The fields of diffusers' <c>PNDMScheduler</c> config (0.30.3 defaults; SD 1.x ships this class).</summary>
public sealed record PndmConfig
{
    public const string ClassName = "PNDMScheduler";

    public int NumTrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.0001;
    public double BetaEnd { get; init; } = 0.02;
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;
    public IReadOnlyList<double>? TrainedBetas { get; init; }

    /// <summary>Skip the Runge-Kutta warm-up and run PLMS only (SD: true; Atelier implements only this mode).</summary>
    public bool SkipPrkSteps { get; init; }

    public bool SetAlphaToOne { get; init; }
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;
    public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Leading;
    public int StepsOffset { get; init; }

    /// <summary>Fields of the source config that PNDM does not take, kept for later scheduler swaps (diffusers' hidden config).</summary>
    public JsonObject OtherFields { get; init; } = [];

    public static PndmConfig FromConfig(JsonObject config)
    {
        var r = new SchedulerConfigReader(config, ClassName);
        var d = new PndmConfig();
        return new PndmConfig
        {
            NumTrainTimesteps = r.Int("num_train_timesteps", d.NumTrainTimesteps),
            BetaStart = r.Double("beta_start", d.BetaStart),
            BetaEnd = r.Double("beta_end", d.BetaEnd),
            BetaSchedule = r.Choice("beta_schedule", d.BetaSchedule, ConfigNames.BetaSchedules),
            TrainedBetas = r.NullableDoubleList("trained_betas", d.TrainedBetas),
            SkipPrkSteps = r.Bool("skip_prk_steps", d.SkipPrkSteps),
            SetAlphaToOne = r.Bool("set_alpha_to_one", d.SetAlphaToOne),
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
        .Add("skip_prk_steps", SkipPrkSteps)
        .Add("set_alpha_to_one", SetAlphaToOne)
        .Add("prediction_type", ConfigNames.Name(PredictionType))
        .Add("timestep_spacing", ConfigNames.Name(TimestepSpacing))
        .Add("steps_offset", StepsOffset)
        .Build(OtherFields);

    internal NoiseSchedule CreateSchedule() =>
        NoiseSchedule.Create(NumTrainTimesteps, BetaStart, BetaEnd, BetaSchedule, TrainedBetas);
}
