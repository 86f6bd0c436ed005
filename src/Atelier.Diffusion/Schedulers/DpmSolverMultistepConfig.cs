using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Schedulers;

/// <summary>The fields of diffusers' <c>DPMSolverMultistepScheduler</c> config (0.30.3 defaults).</summary>
public sealed record DpmSolverMultistepConfig
{
    public const string ClassName = "DPMSolverMultistepScheduler";

    public int NumTrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.0001;
    public double BetaEnd { get; init; } = 0.02;
    public BetaSchedule BetaSchedule { get; init; } = BetaSchedule.Linear;
    public IReadOnlyList<double>? TrainedBetas { get; init; }

    /// <summary>1 or 2 (2 = DPM-Solver++ 2M); 3 is refused.</summary>
    public int SolverOrder { get; init; } = 2;

    public PredictionType PredictionType { get; init; } = PredictionType.Epsilon;
    public bool Thresholding { get; init; }
    public double DynamicThresholdingRatio { get; init; } = 0.995;
    public double SampleMaxValue { get; init; } = 1.0;

    /// <summary>"dpmsolver++" (implemented); "dpmsolver", "sde-dpmsolver", "sde-dpmsolver++" are refused.</summary>
    public string AlgorithmType { get; init; } = "dpmsolver++";

    /// <summary>"midpoint" or "heun": the second-order update of DPM-Solver++ (Lu et al. 2022, Algorithm 2 is midpoint).</summary>
    public string SolverType { get; init; } = "midpoint";

    /// <summary>First-order final step (and second-order second-to-last) below 15 steps.</summary>
    public bool LowerOrderFinal { get; init; } = true;

    public bool EulerAtFinal { get; init; }
    public bool UseKarrasSigmas { get; init; }

    /// <summary>Uniform-logSNR steps; refused.</summary>
    public bool UseLuLambdas { get; init; }

    /// <summary>"zero" (final sigma 0, then the final step is first order) or "sigma_min".</summary>
    public string FinalSigmasType { get; init; } = "zero";

    /// <summary>Timesteps with lambda(t) below this are cut (needed for the cosine schedule).</summary>
    public double LambdaMinClipped { get; init; } = double.NegativeInfinity;

    /// <summary>null; learned variances are refused.</summary>
    public string? VarianceType { get; init; }

    public TimestepSpacing TimestepSpacing { get; init; } = TimestepSpacing.Linspace;
    public int StepsOffset { get; init; }
    public bool RescaleBetasZeroSnr { get; init; }

    /// <summary>Fields of the source config that DPM-Solver does not take, kept for later scheduler swaps (diffusers' hidden config).</summary>
    public JsonObject OtherFields { get; init; } = [];

    public static DpmSolverMultistepConfig FromConfig(JsonObject config)
    {
        var r = new SchedulerConfigReader(config, ClassName);
        var d = new DpmSolverMultistepConfig();
        return new DpmSolverMultistepConfig
        {
            NumTrainTimesteps = r.Int("num_train_timesteps", d.NumTrainTimesteps),
            BetaStart = r.Double("beta_start", d.BetaStart),
            BetaEnd = r.Double("beta_end", d.BetaEnd),
            BetaSchedule = r.Choice("beta_schedule", d.BetaSchedule, ConfigNames.BetaSchedules),
            TrainedBetas = r.NullableDoubleList("trained_betas", d.TrainedBetas),
            SolverOrder = r.Int("solver_order", d.SolverOrder),
            PredictionType = r.Choice("prediction_type", d.PredictionType, ConfigNames.PredictionTypes),
            Thresholding = r.Bool("thresholding", d.Thresholding),
            DynamicThresholdingRatio = r.Double("dynamic_thresholding_ratio", d.DynamicThresholdingRatio),
            SampleMaxValue = r.Double("sample_max_value", d.SampleMaxValue),
            AlgorithmType = r.Choice("algorithm_type", d.AlgorithmType,
                [("dpmsolver++", "dpmsolver++"), ("sde-dpmsolver++", "sde-dpmsolver++"), ("dpmsolver", "dpmsolver"), ("sde-dpmsolver", "sde-dpmsolver")]),
            SolverType = r.Choice("solver_type", d.SolverType, [("midpoint", "midpoint"), ("heun", "heun")]),
            LowerOrderFinal = r.Bool("lower_order_final", d.LowerOrderFinal),
            EulerAtFinal = r.Bool("euler_at_final", d.EulerAtFinal),
            UseKarrasSigmas = r.Bool("use_karras_sigmas", d.UseKarrasSigmas),
            UseLuLambdas = r.Bool("use_lu_lambdas", d.UseLuLambdas),
            FinalSigmasType = r.Choice("final_sigmas_type", d.FinalSigmasType, [("zero", "zero"), ("sigma_min", "sigma_min")]),
            LambdaMinClipped = r.Double("lambda_min_clipped", d.LambdaMinClipped),
            VarianceType = r.NullableString("variance_type", d.VarianceType),
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
        .Add("solver_order", SolverOrder)
        .Add("prediction_type", ConfigNames.Name(PredictionType))
        .Add("thresholding", Thresholding)
        .Add("dynamic_thresholding_ratio", DynamicThresholdingRatio)
        .Add("sample_max_value", SampleMaxValue)
        .Add("algorithm_type", AlgorithmType)
        .Add("solver_type", SolverType)
        .Add("lower_order_final", LowerOrderFinal)
        .Add("euler_at_final", EulerAtFinal)
        .Add("use_karras_sigmas", UseKarrasSigmas)
        .Add("use_lu_lambdas", UseLuLambdas)
        .Add("final_sigmas_type", FinalSigmasType)
        .Add("lambda_min_clipped", LambdaMinClipped)
        .Add("variance_type", VarianceType)
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
