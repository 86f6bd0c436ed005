using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Schedulers;

/// <summary>The fields of diffusers' <c>EulerDiscreteScheduler</c> config (0.30.3 defaults).</summary>
public sealed record EulerConfig
{
    public const string ClassName = "EulerDiscreteScheduler";

    public int NumTrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.0001;
    public double BetaEnd { get; init; } = 0.02;
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;
    public IReadOnlyList<double>? TrainedBetas { get; init; }
    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;

    /// <summary>"linear" (np.interp of the sigma table; implemented) or "log_linear" (refused).</summary>
    public string InterpolationType { get; init; } = "linear";

    /// <summary>Karras sigmas for Euler are refused (DPM-Solver++ has them: <c>"dpmpp_2m_karras"</c>).</summary>
    public bool UseKarrasSigmas { get; init; }

    public double? SigmaMin { get; init; }
    public double? SigmaMax { get; init; }
    public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Linspace;

    /// <summary>"discrete" (implemented) or "continuous" (EDM-style, refused).</summary>
    public string TimestepType { get; init; } = "discrete";

    public int StepsOffset { get; init; }
    public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>"zero" (final sigma 0) or "sigma_min" (the last training sigma).</summary>
    public string FinalSigmasType { get; init; } = "zero";

    /// <summary>Fields of the source config that Euler does not take, kept for later scheduler swaps (diffusers' hidden config).</summary>
    public JsonObject OtherFields { get; init; } = [];

    public static EulerConfig FromConfig(JsonObject config)
    {
        var r = new SchedulerConfigReader(config, ClassName);
        var d = new EulerConfig();
        return new EulerConfig
        {
            NumTrainTimesteps = r.Int("num_train_timesteps", d.NumTrainTimesteps),
            BetaStart = r.Double("beta_start", d.BetaStart),
            BetaEnd = r.Double("beta_end", d.BetaEnd),
            BetaSchedule = r.Choice("beta_schedule", d.BetaSchedule, ConfigNames.BetaSchedules),
            TrainedBetas = r.NullableDoubleList("trained_betas", d.TrainedBetas),
            PredictionType = r.Choice("prediction_type", d.PredictionType, ConfigNames.PredictionTypes),
            InterpolationType = r.Choice("interpolation_type", d.InterpolationType, [("linear", "linear"), ("log_linear", "log_linear")]),
            UseKarrasSigmas = r.Bool("use_karras_sigmas", d.UseKarrasSigmas),
            SigmaMin = r.NullableDouble("sigma_min", d.SigmaMin),
            SigmaMax = r.NullableDouble("sigma_max", d.SigmaMax),
            TimestepSpacing = r.Choice("timestep_spacing", d.TimestepSpacing, ConfigNames.TimestepSpacings),
            TimestepType = r.Choice("timestep_type", d.TimestepType, [("discrete", "discrete"), ("continuous", "continuous")]),
            StepsOffset = r.Int("steps_offset", d.StepsOffset),
            RescaleBetasZeroSnr = r.Bool("rescale_betas_zero_snr", d.RescaleBetasZeroSnr),
            FinalSigmasType = r.Choice("final_sigmas_type", d.FinalSigmasType, [("zero", "zero"), ("sigma_min", "sigma_min")]),
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
        .Add("interpolation_type", InterpolationType)
        .Add("use_karras_sigmas", UseKarrasSigmas)
        .Add("sigma_min", SigmaMin)
        .Add("sigma_max", SigmaMax)
        .Add("timestep_spacing", ConfigNames.Name(TimestepSpacing))
        .Add("timestep_type", TimestepType)
        .Add("steps_offset", StepsOffset)
        .Add("rescale_betas_zero_snr", RescaleBetasZeroSnr)
        .Add("final_sigmas_type", FinalSigmasType)
        .Build(OtherFields);

    internal NoiseSchedule CreateSchedule()
    {
        var schedule = NoiseSchedule.Create(NumTrainTimesteps, BetaStart, BetaEnd, BetaSchedule, TrainedBetas, RescaleBetasZeroSnr);
        // diffusers: "close to 0 without being 0 so first sigma is not inf" (the smallest fp16 subnormal).
        return RescaleBetasZeroSnr ? schedule.WithFinalAlphaCumprod(MathF.Pow(2, -24)) : schedule;
    }
}
