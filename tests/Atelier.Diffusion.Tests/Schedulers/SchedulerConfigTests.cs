using System.Text.Json;
using System.Text.Json.Nodes;
using Atelier.Diffusion.Schedulers;

namespace Atelier.Diffusion.Tests.Schedulers;

/// <summary>Configs: diffusers' from_config swap semantics, file parsing, round trips and precise refusals.</summary>
public class SchedulerConfigTests
{
    [SkippableTheory]
    [MemberData(nameof(FixtureSchedulers.Runs), MemberType = typeof(FixtureSchedulers))]
    public void SwappingFromTheBaseConfigGivesDiffusersConfig(string run)
    {
        // The fixture made each run with X.from_config(base_config, prediction_type=...): same fields, same order.
        var expected = SchedulerFixtures.Json["runs"]![run]!["config"]!.AsObject();
        string setup = run.Split('/')[0];
        var scheduler = FixtureSchedulers.FromBase(setup, c => c["prediction_type"] = run.Split('/')[1]);
        var actual = scheduler.ToConfig();

        Assert.Equal(expected.Select(kv => kv.Key), actual.Select(kv => kv.Key));
        foreach (var (field, value) in expected)
            Assert.True(SameValue(value, actual[field]), $"{run}: {field} = {actual[field]?.ToJsonString() ?? "null"}, diffusers {value?.ToJsonString() ?? "null"}");
        Assert.Equal(SchedulerFixtures.Json["runs"]![run]!["class"]!.GetValue<string>(), scheduler.ClassName);
    }

    [SkippableFact]
    public void TheTinyModelsSchedulerConfigFileIsHonoured()
    {
        string path = TestSupport.SharedData.Require("reference/tiny-sd/scheduler/scheduler_config.json");
        var scheduler = Assert.IsType<PndmScheduler>(SchedulerRegistry.FromConfigFile(path));
        var expected = new PndmConfig
        {
            BetaStart = 0.00085,
            BetaEnd = 0.012,
            BetaSchedule = BetaSchedule.ScaledLinear,
            SkipPrkSteps = true,
            StepsOffset = 1,
            OtherFields = new JsonObject { ["clip_sample"] = false },
        };
        Assert.Equal(expected.ToConfig().ToJsonString(), scheduler.ToConfig().ToJsonString());
        scheduler.SetTimesteps(4);
        Assert.Equal([751.0, 501, 501, 251, 1], scheduler.Timesteps);
    }

    [Fact]
    public void PythonNonFiniteLiteralsAreRead()
    {
        const string json = """{"_class_name": "DPMSolverMultistepScheduler", "lambda_min_clipped": -Infinity, "beta_schedule": "squaredcos_cap_v2", "timestep_spacing": "trailing", "note": "-Infinity stays text"}""";
        var scheduler = Assert.IsType<DpmSolverMultistepScheduler>(SchedulerRegistry.FromConfigJson(json));
        Assert.Equal(double.NegativeInfinity, scheduler.Config.LambdaMinClipped);
        Assert.Equal(BetaSchedule.SquaredCosCapV2, scheduler.Config.BetaSchedule);
        Assert.Equal("-Infinity stays text", scheduler.Config.OtherFields["note"]!.GetValue<string>());
        Assert.Equal("-Infinity", scheduler.ToConfig()["lambda_min_clipped"]!.GetValue<string>());
    }

    [Fact]
    public void ClassDefaultsApplyWhenFieldsAreAbsent()
    {
        var ddim = (DdimScheduler)SchedulerRegistry.Create("ddim");
        Assert.Equal(new DdimConfig().ToConfig().ToJsonString(), ddim.ToConfig().ToJsonString());
        Assert.True(ddim.Config.ClipSample);
        Assert.True(ddim.Config.SetAlphaToOne);
        var euler = (EulerScheduler)SchedulerRegistry.Create("euler", []);
        Assert.Equal(TimestepSpacing.Linspace, euler.Config.TimestepSpacing);
        var lcm = (LcmScheduler)SchedulerRegistry.Create("lcm");
        Assert.Equal(BetaSchedule.ScaledLinear, lcm.Config.BetaSchedule);
    }

    [Fact]
    public void RegistryNamesSetTheirOwnFieldsOverTheBase()
    {
        var karrasBase = SchedulerRegistry.StableDiffusion15Config();
        karrasBase["use_karras_sigmas"] = true;
        var plain = (DpmSolverMultistepScheduler)SchedulerRegistry.Create("dpmpp_2m", karrasBase);
        Assert.False(plain.Config.UseKarrasSigmas);
        var karras = (DpmSolverMultistepScheduler)SchedulerRegistry.Create("dpmpp_2m_karras", SchedulerRegistry.StableDiffusion15Config());
        Assert.True(karras.Config.UseKarrasSigmas);
        Assert.Equal(2, karras.Config.SolverOrder);
        Assert.Equal("dpmsolver++", karras.Config.AlgorithmType);
        Assert.False(karrasBase["use_karras_sigmas"]!.GetValue<bool>() == false, "Create must not modify the caller's base config");
    }

    [Fact]
    public void UnknownNamesListTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => SchedulerRegistry.Create("k_euler"));
        Assert.Contains("'k_euler'", error.Message);
        foreach (string name in new[] { "ddim", "pndm", "euler", "euler_a", "dpmpp_2m", "dpmpp_2m_karras", "lms", "heun", "lcm", "ddpm" })
        {
            Assert.Contains(name, SchedulerRegistry.Names);
            Assert.Contains(name, error.Message);
            Assert.False(string.IsNullOrWhiteSpace(SchedulerRegistry.Describe(name)));
        }
        var unknownClass = Assert.Throws<NotSupportedException>(() => SchedulerRegistry.FromConfig("UniPCMultistepScheduler", []));
        Assert.Contains("PNDMScheduler", unknownClass.Message);
    }

    [Theory]
    [InlineData("ddim", "beta_schedule", "\"cosine\"", "\"squaredcos_cap_v2\"")]
    [InlineData("euler", "num_train_timesteps", "\"1000\"", "an integer")]
    [InlineData("pndm", "steps_offset", "1.5", "an integer")]
    [InlineData("dpmpp_2m", "lambda_min_clipped", "\"low\"", "a number")]
    [InlineData("lms", "prediction_type", "\"eps\"", "\"v_prediction\"")]
    [InlineData("heun", "clip_sample", "0", "true or false")]
    [InlineData("ddpm", "trained_betas", "[0.1, \"x\"]", "a list of numbers")]
    public void BadValuesNameTheClassFieldAndExpectation(string name, string field, string json, string expected)
    {
        var config = SchedulerRegistry.StableDiffusion15Config();
        config[field] = JsonNode.Parse(json);
        var error = Assert.Throws<SchedulerConfigException>(() => SchedulerRegistry.Create(name, config));
        Assert.Equal(field, error.Field);
        Assert.Contains(SchedulerRegistry.ClassNameOf(name), error.Message);
        Assert.Contains($"'{field}'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("euler", "use_karras_sigmas", "true")]
    [InlineData("pndm", "skip_prk_steps", "false")]
    [InlineData("dpmpp_2m", "algorithm_type", "\"sde-dpmsolver++\"")]
    [InlineData("dpmpp_2m", "solver_order", "3")]
    [InlineData("ddim", "thresholding", "true")]
    [InlineData("ddpm", "variance_type", "\"learned_range\"")]
    [InlineData("euler", "timestep_type", "\"continuous\"")]
    public void UnimplementedOptionsAreRefusedByName(string name, string field, string json)
    {
        var config = SchedulerRegistry.StableDiffusion15Config();
        config[field] = JsonNode.Parse(json);
        if (name == "dpmpp_2m")
        {
            // The registry name pins solver_order and algorithm_type; go through the class for those.
            var error = Assert.Throws<NotSupportedException>(() => SchedulerRegistry.FromConfig(DpmSolverMultistepConfig.ClassName, config));
            Assert.Contains(field, error.Message);
            return;
        }
        var refusal = Assert.Throws<NotSupportedException>(() => SchedulerRegistry.Create(name, config));
        Assert.Contains(SchedulerRegistry.ClassNameOf(name), refusal.Message);
        Assert.Contains(field, refusal.Message);
    }

    [Fact]
    public void MalformedFilesAreReportedWithTheirSource()
    {
        var notJson = Assert.Throws<FormatException>(() => SchedulerRegistry.FromConfigJson("{ beta_start: ", "models/x/scheduler_config.json"));
        Assert.Contains("models/x/scheduler_config.json", notJson.Message);
        var noClass = Assert.Throws<SchedulerConfigException>(() => SchedulerRegistry.FromConfigJson("""{"beta_start": 0.001}""", "models/y/scheduler_config.json"));
        Assert.Contains("_class_name", noClass.Message);
        Assert.Contains("models/y/scheduler_config.json", noClass.Message);
    }

    private static bool SameValue(JsonNode? expected, JsonNode? actual)
    {
        if (expected is null || actual is null)
            return expected is null && actual is null;
        var kind = expected.GetValueKind();
        if (kind == JsonValueKind.Number && actual.GetValueKind() == JsonValueKind.Number)
            return expected.GetValue<double>() == double.Parse(actual.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
        return JsonNode.DeepEquals(expected, actual);
    }
}
