using System.Text.Json.Nodes;
using Atelier.Diffusion.Schedulers;

namespace Atelier.Diffusion.Tests;

/// <summary>The 11 scheduler setups of the fixtures and how each maps onto the registry.</summary>
internal static class FixtureSchedulers
{
    public static readonly string[] Setups =
        ["ddpm", "ddim_eta0", "ddim_eta1", "pndm", "euler", "euler_ancestral", "dpmpp_2m", "dpmpp_2m_karras", "lms", "lcm", "heun"];

    public static readonly string[] Spacings = ["leading", "linspace", "trailing"];

    public static readonly int[] StepCounts = [1, 4, 20, 50];

    /// <summary>Every run: setup x prediction type (22).</summary>
    public static IEnumerable<object[]> Runs() =>
        from setup in Setups from prediction in new[] { "epsilon", "v_prediction" } select new object[] { $"{setup}/{prediction}" };

    /// <summary>Every timesteps table entry: setup x spacing x N (132).</summary>
    public static IEnumerable<object[]> Tables() =>
        from setup in Setups from spacing in Spacings from n in StepCounts select new object[] { setup, spacing, n };

    public static string RegistryName(string setup) => setup switch
    {
        "ddim_eta0" or "ddim_eta1" => "ddim",
        "euler_ancestral" => "euler_a",
        _ => setup,
    };

    /// <summary>The setup's scheduler swapped in from the fixture's SD 1.5 base config, as a pipeline would.</summary>
    public static Scheduler FromBase(string setup, Action<JsonObject>? edit = null)
    {
        var config = SchedulerFixtures.Json["base_config"]!.AsObject().DeepClone().AsObject();
        edit?.Invoke(config);
        var scheduler = SchedulerRegistry.Create(RegistryName(setup), config);
        if (setup == "ddim_eta1")
            ((DdimScheduler)scheduler).Eta = 1.0;
        return scheduler;
    }

    /// <summary>diffusers' step keyword arguments of a run (only DDIM's eta occurs).</summary>
    public static void ApplyStepArguments(Scheduler scheduler, JsonObject? stepArguments)
    {
        if (stepArguments is null)
            return;
        foreach (var (name, value) in stepArguments)
        {
            if (name == "eta" && scheduler is DdimScheduler ddim)
                ddim.Eta = value!.GetValue<double>();
            else
                Assert.Fail($"{scheduler.ClassName}: the fixture passes step argument '{name}', which this test does not map");
        }
    }
}
