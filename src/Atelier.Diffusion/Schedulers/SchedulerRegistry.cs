using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// Schedulers by short name (for the CLI and the server) and by diffusers class name (for scheduler_config.json).
/// <see cref="Create"/> works like diffusers' <c>X.from_config(pipe.scheduler.config, **overrides)</c>: the fields of
/// the base config that the chosen class takes are used (so an SD 1.5 config keeps "leading" spacing and
/// steps_offset 1, gotcha G23), its other fields take the class defaults, and fields the class does not take are kept
/// for a later swap.
/// </summary>
public static class SchedulerRegistry
{
    private static readonly Entry[] s_entries =
    [
        new("ddim", DdimConfig.ClassName, "DDIM (eta 0): deterministic, the classic 50-step sampler"),
        new("ddpm", DdpmConfig.ClassName, "DDPM ancestral sampling: stochastic, needs many steps"),
        new("dpmpp_2m", DpmSolverMultistepConfig.ClassName, "DPM-Solver++ 2M: second-order multistep, good at 20-25 steps",
            ("algorithm_type", "dpmsolver++"), ("solver_order", 2), ("use_karras_sigmas", false)),
        new("dpmpp_2m_karras", DpmSolverMultistepConfig.ClassName, "DPM-Solver++ 2M with Karras sigmas",
            ("algorithm_type", "dpmsolver++"), ("solver_order", 2), ("use_karras_sigmas", true)),
        new("euler", EulerConfig.ClassName, "Euler: first-order ODE steps in sigma"),
        new("euler_a", EulerAncestralConfig.ClassName, "Euler ancestral: Euler with fresh noise every step (stochastic)"),
        new("heun", HeunConfig.ClassName, "Heun: second order, two model calls per step"),
        new("lcm", LcmConfig.ClassName, "LCM: 2-8 steps, for latent-consistency-distilled models only"),
        new("lms", LmsConfig.ClassName, "LMS: fourth-order linear multistep in sigma"),
        new("pndm", PndmConfig.ClassName, "PNDM / PLMS: the Stable Diffusion 1.x default"),
    ];

    /// <summary>The short names, alphabetically.</summary>
    public static IReadOnlyList<string> Names { get; } = s_entries.Select(e => e.Name).ToArray();

    /// <summary>The diffusers classes that can be built from a config.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        DdimConfig.ClassName, DdpmConfig.ClassName, DpmSolverMultistepConfig.ClassName, EulerConfig.ClassName,
        EulerAncestralConfig.ClassName, HeunConfig.ClassName, LcmConfig.ClassName, LmsConfig.ClassName, PndmConfig.ClassName,
    ];

    /// <summary>One line per short name: what it is.</summary>
    public static string Describe(string name) => Find(name).Description;

    /// <summary>The diffusers class behind a short name.</summary>
    public static string ClassNameOf(string name) => Find(name).ClassName;

    /// <summary>
    /// The scheduler called <paramref name="name"/>, configured from <paramref name="baseConfig"/> (a model's
    /// scheduler_config.json fields; null = the class defaults) with the name's own settings applied on top.
    /// </summary>
    public static Scheduler Create(string name, JsonObject? baseConfig = null)
    {
        var entry = Find(name);
        var config = baseConfig?.DeepClone().AsObject() ?? [];
        foreach (var (field, value) in entry.Overrides)
            config[field] = value.DeepClone();
        return FromConfig(entry.ClassName, config);
    }

    /// <summary>The scheduler of diffusers class <paramref name="className"/> built from <paramref name="config"/>.</summary>
    public static Scheduler FromConfig(string className, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return className switch
        {
            DdimConfig.ClassName => new DdimScheduler(DdimConfig.FromConfig(config)),
            DdpmConfig.ClassName => new DdpmScheduler(DdpmConfig.FromConfig(config)),
            DpmSolverMultistepConfig.ClassName => new DpmSolverMultistepScheduler(DpmSolverMultistepConfig.FromConfig(config)),
            EulerConfig.ClassName => new EulerScheduler(EulerConfig.FromConfig(config)),
            EulerAncestralConfig.ClassName => new EulerAncestralScheduler(EulerAncestralConfig.FromConfig(config)),
            HeunConfig.ClassName => new HeunScheduler(HeunConfig.FromConfig(config)),
            LcmConfig.ClassName => new LcmScheduler(LcmConfig.FromConfig(config)),
            LmsConfig.ClassName => new LmsScheduler(LmsConfig.FromConfig(config)),
            PndmConfig.ClassName => new PndmScheduler(PndmConfig.FromConfig(config)),
            _ => throw new NotSupportedException($"Scheduler class '{className}' is not implemented; known classes: {string.Join(", ", ClassNames)}."),
        };
    }

    /// <summary>
    /// A scheduler from the text of a diffusers <c>scheduler_config.json</c> (its <c>_class_name</c> picks the class;
    /// Python's NaN / Infinity literals are accepted). <paramref name="source"/> names the file in messages.
    /// </summary>
    public static Scheduler FromConfigJson(string json, string source = "scheduler_config.json")
    {
        var config = ParseConfig(json, source);
        if (!config.TryGetPropertyValue("_class_name", out var classNode) || classNode?.GetValueKind() != System.Text.Json.JsonValueKind.String)
            throw new SchedulerConfigException("(unknown)", "_class_name", $"is missing or not a string in {source}; expected the diffusers scheduler class, e.g. \"PNDMScheduler\"");
        return FromConfig(classNode.GetValue<string>(), config);
    }

    /// <summary>A scheduler from a diffusers <c>scheduler/scheduler_config.json</c> file.</summary>
    public static Scheduler FromConfigFile(string path) => FromConfigJson(File.ReadAllText(path), path);

    /// <summary>The fields of a <c>scheduler_config.json</c> text as a JSON object (Python's non-finite literals accepted).</summary>
    public static JsonObject ParseConfig(string json, string source = "scheduler_config.json")
    {
        try
        {
            var node = JsonNode.Parse(Atelier.Formats.Checkpoints.PythonJson.QuoteNonFiniteLiterals(System.Text.Encoding.UTF8.GetBytes(json)));
            return node as JsonObject ?? throw new FormatException($"{source}: expected a JSON object, found {node?.GetValueKind().ToString() ?? "null"}.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new FormatException($"{source}: not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Stable Diffusion 1.5's scheduler config (runwayml's scheduler_config.json, diffusers 0.30.3; the one a single-file
    /// SD 1.x checkpoint implies): PNDM, scaled_linear 0.00085 … 0.012, 1000 steps, steps_offset 1, skip_prk_steps.
    /// A new object on each call.
    /// </summary>
    public static JsonObject StableDiffusion15Config() => new()
    {
        ["_class_name"] = PndmConfig.ClassName,
        ["beta_end"] = 0.012,
        ["beta_schedule"] = "scaled_linear",
        ["beta_start"] = 0.00085,
        ["clip_sample"] = false,
        ["num_train_timesteps"] = 1000,
        ["prediction_type"] = "epsilon",
        ["set_alpha_to_one"] = false,
        ["skip_prk_steps"] = true,
        ["steps_offset"] = 1,
        ["timestep_spacing"] = "leading",
        ["trained_betas"] = null,
    };

    private static Entry Find(string name)
    {
        foreach (var entry in s_entries)
            if (entry.Name == name)
                return entry;
        throw new ArgumentException($"Unknown scheduler '{name}'; known schedulers: {string.Join(", ", s_entries.Select(e => e.Name))}.", nameof(name));
    }

    private sealed record Entry(string Name, string ClassName, string Description, params (string Field, JsonNode Value)[] Overrides);
}
