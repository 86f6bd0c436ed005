namespace Atelier.Formats.Checkpoints;

/// <summary>
/// <c>scheduler/scheduler_config.json</c>: the scheduler class and the union of the fields of the diffusers 0.30
/// schedulers Atelier implements. Absent fields take the default of the named class (diffusers' defaults differ per
/// class: e.g. <c>timestep_spacing</c> is "leading" for PNDM/DDIM/DDPM/LCM but "linspace" for Euler/DPM/LMS/Heun,
/// <c>set_alpha_to_one</c> is true for DDIM and false for PNDM). Fields present in the file that the named class does
/// not take are kept and reported, as diffusers reports them when a pipeline swaps schedulers with
/// <c>from_config</c> (gotcha G23); for such fields and for other classes' fields the record holds the file's value
/// or a neutral default that the class ignores.
/// </summary>
public sealed record SchedulerConfig
{
    /// <summary>The diffusers class, e.g. <c>PNDMScheduler</c>.</summary>
    public string ClassName { get; init; } = "";
    public int NumTrainTimesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 0.0001;
    public double BetaEnd { get; init; } = 0.02;
    public string BetaSchedule { get; init; } = "linear";
    public ValueArray<double>? TrainedBetas { get; init; }
    public string PredictionType { get; init; } = "epsilon";
    public string TimestepSpacing { get; init; } = "leading";
    public int StepsOffset { get; init; }
    public bool SetAlphaToOne { get; init; }
    public bool SkipPrkSteps { get; init; }
    public bool ClipSample { get; init; }
    public double ClipSampleRange { get; init; } = 1.0;
    public bool Thresholding { get; init; }
    public double DynamicThresholdingRatio { get; init; } = 0.995;
    public double SampleMaxValue { get; init; } = 1.0;
    public string? VarianceType { get; init; }
    public bool RescaleBetasZeroSnr { get; init; }
    public string InterpolationType { get; init; } = "linear";
    public bool UseKarrasSigmas { get; init; }
    public double? SigmaMin { get; init; }
    public double? SigmaMax { get; init; }
    public string TimestepType { get; init; } = "discrete";
    public string FinalSigmasType { get; init; } = "zero";
    public int SolverOrder { get; init; } = 2;
    public string AlgorithmType { get; init; } = "dpmsolver++";
    public string SolverType { get; init; } = "midpoint";
    public bool LowerOrderFinal { get; init; } = true;
    public bool EulerAtFinal { get; init; }
    public bool UseLuLambdas { get; init; }
    public double LambdaMinClipped { get; init; } = double.NegativeInfinity;
    public int OriginalInferenceSteps { get; init; } = 50;
    public double TimestepScaling { get; init; } = 10.0;

    /// <summary>The config fields each known class takes (diffusers 0.30.3 <c>__init__</c> signatures), in signature order.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> ClassParameters { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["DDPMScheduler"] = ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "variance_type", "clip_sample",
            "prediction_type", "thresholding", "dynamic_thresholding_ratio", "clip_sample_range", "sample_max_value", "timestep_spacing",
            "steps_offset", "rescale_betas_zero_snr"],
        ["DDIMScheduler"] = ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "clip_sample", "set_alpha_to_one",
            "steps_offset", "prediction_type", "thresholding", "dynamic_thresholding_ratio", "clip_sample_range", "sample_max_value",
            "timestep_spacing", "rescale_betas_zero_snr"],
        ["PNDMScheduler"] = ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "skip_prk_steps", "set_alpha_to_one",
            "prediction_type", "timestep_spacing", "steps_offset"],
        ["EulerDiscreteScheduler"] = ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "prediction_type",
            "interpolation_type", "use_karras_sigmas", "sigma_min", "sigma_max", "timestep_spacing", "timestep_type", "steps_offset",
            "rescale_betas_zero_snr", "final_sigmas_type"],
        ["EulerAncestralDiscreteScheduler"] = ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "prediction_type",
            "timestep_spacing", "steps_offset", "rescale_betas_zero_snr"],
        ["DPMSolverMultistepScheduler"] = ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "solver_order",
            "prediction_type", "thresholding", "dynamic_thresholding_ratio", "sample_max_value", "algorithm_type", "solver_type",
            "lower_order_final", "euler_at_final", "use_karras_sigmas", "use_lu_lambdas", "final_sigmas_type", "lambda_min_clipped",
            "variance_type", "timestep_spacing", "steps_offset", "rescale_betas_zero_snr"],
        ["LMSDiscreteScheduler"] = ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "use_karras_sigmas",
            "prediction_type", "timestep_spacing", "steps_offset"],
        ["HeunDiscreteScheduler"] = ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "prediction_type",
            "use_karras_sigmas", "clip_sample", "clip_sample_range", "timestep_spacing", "steps_offset"],
        ["LCMScheduler"] = ["num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "original_inference_steps",
            "clip_sample", "clip_sample_range", "set_alpha_to_one", "steps_offset", "prediction_type", "thresholding",
            "dynamic_thresholding_ratio", "sample_max_value", "timestep_spacing", "timestep_scaling", "rescale_betas_zero_snr"],
    };

    /// <summary>The defaults of a class's <c>__init__</c> (diffusers 0.30.3); for an unknown class, this record's neutral defaults.</summary>
    public static SchedulerConfig DefaultsFor(string className)
    {
        var neutral = new SchedulerConfig { ClassName = className };
        return className switch
        {
            "DDPMScheduler" => neutral with { VarianceType = "fixed_small", ClipSample = true },
            "DDIMScheduler" => neutral with { ClipSample = true, SetAlphaToOne = true },
            "PNDMScheduler" => neutral,
            "EulerDiscreteScheduler" => neutral with { TimestepSpacing = "linspace" },
            "EulerAncestralDiscreteScheduler" => neutral with { TimestepSpacing = "linspace" },
            "DPMSolverMultistepScheduler" => neutral with { TimestepSpacing = "linspace" },
            "LMSDiscreteScheduler" => neutral with { TimestepSpacing = "linspace" },
            "HeunDiscreteScheduler" => neutral with { BetaStart = 0.00085, BetaEnd = 0.012, TimestepSpacing = "linspace" },
            "LCMScheduler" => neutral with { BetaStart = 0.00085, BetaEnd = 0.012, BetaSchedule = "scaled_linear", SetAlphaToOne = true },
            _ => neutral,
        };
    }

    /// <summary>
    /// The scheduler config of Stable Diffusion 1.5 (runwayml's <c>scheduler_config.json</c>: PNDM, scaled_linear
    /// 0.00085..0.012, steps_offset 1, skip_prk_steps), the one a single-file SD checkpoint gets.
    /// </summary>
    public static SchedulerConfig StableDiffusion15 { get; } = DefaultsFor("PNDMScheduler") with
    {
        BetaStart = 0.00085,
        BetaEnd = 0.012,
        BetaSchedule = "scaled_linear",
        SkipPrkSteps = true,
        SetAlphaToOne = false,
        StepsOffset = 1,
        ClipSample = false,
        TimestepSpacing = "leading",
    };

    public static LoadedConfig<SchedulerConfig> Load(string path)
    {
        var reader = ConfigReader.Load(path);
        return Read(reader);
    }

    /// <summary>Parses a config object (e.g. one of the run configs in a fixture file); <paramref name="source"/> names it in messages.</summary>
    public static LoadedConfig<SchedulerConfig> FromJson(System.Text.Json.JsonElement config, string source) => Read(ConfigReader.FromElement(config, source));

    internal static LoadedConfig<SchedulerConfig> Read(ConfigReader r)
    {
        string className = r.RequiredString("_class_name");
        r.Known("_diffusers_version", "_name_or_path", "_use_default_values", "_commit_hash");
        var d = DefaultsFor(className);
        var config = new SchedulerConfig
        {
            ClassName = className,
            NumTrainTimesteps = r.Int("num_train_timesteps", d.NumTrainTimesteps),
            BetaStart = r.Double("beta_start", d.BetaStart),
            BetaEnd = r.Double("beta_end", d.BetaEnd),
            BetaSchedule = r.String("beta_schedule", d.BetaSchedule),
            TrainedBetas = r.NullableDoubleList("trained_betas", d.TrainedBetas),
            PredictionType = r.String("prediction_type", d.PredictionType),
            TimestepSpacing = r.String("timestep_spacing", d.TimestepSpacing),
            StepsOffset = r.Int("steps_offset", d.StepsOffset),
            SetAlphaToOne = r.Bool("set_alpha_to_one", d.SetAlphaToOne),
            SkipPrkSteps = r.Bool("skip_prk_steps", d.SkipPrkSteps),
            ClipSample = r.Bool("clip_sample", d.ClipSample),
            ClipSampleRange = r.Double("clip_sample_range", d.ClipSampleRange),
            Thresholding = r.Bool("thresholding", d.Thresholding),
            DynamicThresholdingRatio = r.Double("dynamic_thresholding_ratio", d.DynamicThresholdingRatio),
            SampleMaxValue = r.Double("sample_max_value", d.SampleMaxValue),
            VarianceType = r.NullableString("variance_type", d.VarianceType),
            RescaleBetasZeroSnr = r.Bool("rescale_betas_zero_snr", d.RescaleBetasZeroSnr),
            InterpolationType = r.String("interpolation_type", d.InterpolationType),
            UseKarrasSigmas = r.Bool("use_karras_sigmas", d.UseKarrasSigmas),
            SigmaMin = r.NullableDouble("sigma_min", d.SigmaMin),
            SigmaMax = r.NullableDouble("sigma_max", d.SigmaMax),
            TimestepType = r.String("timestep_type", d.TimestepType),
            FinalSigmasType = r.String("final_sigmas_type", d.FinalSigmasType),
            SolverOrder = r.Int("solver_order", d.SolverOrder),
            AlgorithmType = r.String("algorithm_type", d.AlgorithmType),
            SolverType = r.String("solver_type", d.SolverType),
            LowerOrderFinal = r.Bool("lower_order_final", d.LowerOrderFinal),
            EulerAtFinal = r.Bool("euler_at_final", d.EulerAtFinal),
            UseLuLambdas = r.Bool("use_lu_lambdas", d.UseLuLambdas),
            LambdaMinClipped = r.Double("lambda_min_clipped", d.LambdaMinClipped),
            OriginalInferenceSteps = r.Int("original_inference_steps", d.OriginalInferenceSteps),
            TimestepScaling = r.Double("timestep_scaling", d.TimestepScaling),
        };

        var warnings = new List<string>();
        if (!ClassParameters.TryGetValue(className, out var parameters))
        {
            warnings.Add($"{r.Path}: scheduler class '{className}' is not one Atelier implements ({string.Join(", ", ClassParameters.Keys)}); its fields were read with generic defaults.");
        }
        else
        {
            var taken = new HashSet<string>(parameters, StringComparer.Ordinal);
            foreach (string field in FieldNames)
            {
                if (r.Has(field) && !taken.Contains(field))
                    warnings.Add($"{r.Path}: field '{field}' = {r.RawText(field)} is not a parameter of {className}; kept, ignored (as diffusers does).");
            }
        }
        if (config.TrainedBetas is { } betas && betas.Count != config.NumTrainTimesteps)
            throw r.Error("trained_betas", $"lists {betas.Count} betas but num_train_timesteps is {config.NumTrainTimesteps}.");
        if (config.NumTrainTimesteps <= 0)
            throw r.Error("num_train_timesteps", $"must be positive, found {config.NumTrainTimesteps}.");
        return LoadedConfig<SchedulerConfig>.From(r, config, nameof(SchedulerConfig), warnings);
    }

    /// <summary>Every JSON field this record types.</summary>
    public static IReadOnlyList<string> FieldNames { get; } =
    [
        "num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "prediction_type", "timestep_spacing",
        "steps_offset", "set_alpha_to_one", "skip_prk_steps", "clip_sample", "clip_sample_range", "thresholding",
        "dynamic_thresholding_ratio", "sample_max_value", "variance_type", "rescale_betas_zero_snr", "interpolation_type",
        "use_karras_sigmas", "sigma_min", "sigma_max", "timestep_type", "final_sigmas_type", "solver_order", "algorithm_type",
        "solver_type", "lower_order_final", "euler_at_final", "use_lu_lambdas", "lambda_min_clipped", "original_inference_steps",
        "timestep_scaling",
    ];
}
