using System.Globalization;
using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Tests.Schedulers;

/// <summary>
/// schedulers.json "timesteps": for 11 setups x {leading, linspace, trailing} x N in {1, 4, 20, 50}, set_timesteps(N)
/// must give diffusers' timesteps exactly, its sigmas to rtol 1e-6, init_noise_sigma and order.
/// </summary>
public class TimestepTableTests
{
    [SkippableTheory]
    [MemberData(nameof(FixtureSchedulers.Tables), MemberType = typeof(FixtureSchedulers))]
    public void SetTimestepsMatchesDiffusers(string setup, string spacing, int n)
    {
        string key = $"{setup}/{spacing}/N{n}";
        var expected = SchedulerFixtures.Json["timesteps"]![key]!.AsObject();
        var scheduler = FixtureSchedulers.FromBase(setup, c => c["timestep_spacing"] = spacing);
        scheduler.SetTimesteps(n);

        double[] timesteps = Doubles(expected["timesteps"]!);
        Assert.True(timesteps.SequenceEqual(scheduler.Timesteps),
            $"{key}: timesteps [{Join(scheduler.Timesteps)}], expected [{Join(timesteps)}]");
        Assert.Equal(expected["timesteps_dtype"]!.GetValue<string>() == "int64", scheduler.HasIntegerTimesteps);
        Assert.True(expected["order"]!.GetValue<int>() == scheduler.Order, $"{key}: order {scheduler.Order}");

        double initNoiseSigma = expected["init_noise_sigma"]!.GetValue<double>();
        Assert.True(Math.Abs(scheduler.InitNoiseSigma - initNoiseSigma) <= 1e-6 * initNoiseSigma,
            $"{key}: init_noise_sigma {scheduler.InitNoiseSigma:R}, expected {initNoiseSigma:R}");

        if (expected["sigmas"] is JsonArray sigmasNode)
        {
            double[] sigmas = Doubles(sigmasNode);
            Assert.NotNull(scheduler.Sigmas);
            Assert.True(sigmas.Length == scheduler.Sigmas!.Count, $"{key}: {scheduler.Sigmas.Count} sigmas, expected {sigmas.Length}");
            for (int i = 0; i < sigmas.Length; i++)
            {
                Assert.True(Math.Abs(scheduler.Sigmas[i] - sigmas[i]) <= 1e-6 * Math.Abs(sigmas[i]),
                    $"{key}: sigma[{i}] = {scheduler.Sigmas[i]:R}, expected {sigmas[i]:R}");
            }
        }
        else
        {
            Assert.Null(scheduler.Sigmas);
        }
    }

    private static double[] Doubles(JsonNode node) => node.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    private static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
