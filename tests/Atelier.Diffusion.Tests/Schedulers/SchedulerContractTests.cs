using Atelier.Diffusion.Schedulers;
using Atelier.Tensors;

namespace Atelier.Diffusion.Tests.Schedulers;

/// <summary>
/// The contract every registered scheduler keeps, on Stable Diffusion 1.5's config (no fixtures needed): timestep
/// order, shapes, determinism, reruns, config round trips, the forward process of AddNoise, img2img windows, noise
/// sources and misuse errors.
/// </summary>
public class SchedulerContractTests
{
    private static readonly Shape LatentShape = [2, 4, 5, 3];

    public static IEnumerable<object[]> Names() => SchedulerRegistry.Names.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Names))]
    public void TimestepsDecreaseExceptTheDocumentedRepeats(string name)
    {
        foreach (string spacing in new[] { "leading", "linspace", "trailing" })
        {
            foreach (int n in new[] { 1, 2, 7, 25, 50 })
            {
                var scheduler = Create(name, spacing);
                scheduler.SetTimesteps(n);
                var t = scheduler.Timesteps;
                string context = $"{name} {spacing} N={n}: [{string.Join(", ", t)}]";
                int expectedCount = name switch
                {
                    "pndm" => n == 1 ? 1 : n + 1,
                    "heun" => 2 * n - 1,
                    _ => n,
                };
                Assert.True(t.Count == expectedCount, $"{context}: {t.Count} timesteps, expected {expectedCount}");
                Assert.True(t.All(v => v >= 0 && v < 1000), $"{context}: a timestep outside [0, 1000)");
                for (int i = 1; i < t.Count; i++)
                {
                    bool repeatAllowed = name switch
                    {
                        "pndm" => i == 2,                 // the PLMS warm-up repeats the second timestep
                        "heun" => i % 2 == 0,             // each timestep after the first twice
                        "dpmpp_2m_karras" => true,        // rounding sigma -> t can repeat near t = 0
                        _ => false,
                    };
                    Assert.True(t[i] < t[i - 1] || (repeatAllowed && t[i] == t[i - 1]), $"{context}: timestep {i} does not decrease");
                }
                if (name is "pndm" && n > 1)
                    Assert.Equal(t[1], t[2]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SameInputsAndNoiseGiveTheSameResultInTheSameShape(string name)
    {
        var first = RunLoop(Create(name), seed: 11);
        var second = RunLoop(Create(name), seed: 11);
        Assert.Equal(first.Count, second.Count);
        for (int i = 0; i < first.Count; i++)
        {
            Assert.True(first[i].PrevSample.Shape == LatentShape, $"{name} step {i}: prev_sample {first[i].PrevSample.Shape}");
            if (first[i].PredictedOriginal is { } x0)
                Assert.True(x0.Shape == LatentShape, $"{name} step {i}: predicted x0 {x0.Shape}");
            Assert.True(first[i].PrevSample.ToFloatArray().All(float.IsFinite), $"{name} step {i}: non-finite values");
            TensorAssert.Identical(first[i].PrevSample, second[i].PrevSample, $"{name} step {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ResetAndCloneRunAgainIdentically(string name)
    {
        var scheduler = Create(name);
        var first = RunLoop(scheduler, seed: 5);

        scheduler.Reset();
        var again = RunLoop(scheduler, seed: 5, setTimesteps: false);
        var clone = RunLoop(scheduler.Clone(), seed: 5, setTimesteps: false);
        var cloneOfFresh = RunLoop(Create(name).Clone(), seed: 5);
        for (int i = 0; i < first.Count; i++)
        {
            TensorAssert.Identical(first[i].PrevSample, again[i].PrevSample, $"{name} after Reset, step {i}");
            TensorAssert.Identical(first[i].PrevSample, clone[i].PrevSample, $"{name} clone, step {i}");
            TensorAssert.Identical(first[i].PrevSample, cloneOfFresh[i].PrevSample, $"{name} clone before SetTimesteps, step {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void StateSurvivesTheCallersTensorScopes(string name)
    {
        // A pipeline runs each step in a TensorScope and keeps only the latents; the scheduler's history must not
        // live in memory that the scope releases.
        var expected = RunLoop(Create(name), seed: 13);
        var scheduler = Create(name);
        scheduler.SetTimesteps(6);
        var generator = new TorchGenerator(13);
        var b = Tensor.FromArray(generator.Randn(LatentShape.ToArray()), LatentShape);
        var x = Tensor.FromArray(generator.Randn(LatentShape.ToArray()), LatentShape) * scheduler.InitNoiseSigma;
        var noise = new TorchNoiseSource(generator);
        int i = 0;
        foreach (double t in scheduler.Timesteps)
        {
            using var scope = TensorScope.Begin();
            var input = scheduler.ScaleModelInput(x, t);
            x = scope.Keep(scheduler.Step(input * 0.1f + b * (float)Math.Cos(t * Math.PI / 1000), t, x, noise).PrevSample);
            TensorAssert.Identical(expected[i].PrevSample, x, $"{name} step {i} in a scope");
            i++;
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ConfigRoundTripsAndKeepsTheBaseFields(string name)
    {
        var scheduler = Create(name);
        var config = scheduler.ToConfig();
        var rebuilt = SchedulerRegistry.FromConfig(scheduler.ClassName, config);
        Assert.Equal(config.ToJsonString(), rebuilt.ToConfig().ToJsonString());

        // SD 1.5's fields survive the swap, whether the class takes them or keeps them for the next swap (G23).
        Assert.Equal(0.00085, config["beta_start"]!.GetValue<double>());
        Assert.Equal("scaled_linear", config["beta_schedule"]!.GetValue<string>());
        Assert.Equal(1, config["steps_offset"]!.GetValue<int>());
        Assert.Equal("leading", config["timestep_spacing"]!.GetValue<string>());
        Assert.True(config["skip_prk_steps"]!.GetValue<bool>());
        Assert.False(config.ContainsKey("_class_name"));

        // Swapping back to PNDM gives SD 1.5's PNDM fields again (the swapped-in class's fields are kept as others).
        var swappedBack = SchedulerRegistry.Create("pndm", config).ToConfig();
        var original = SchedulerRegistry.Create("pndm", SchedulerRegistry.StableDiffusion15Config()).ToConfig();
        foreach (var (field, _) in new PndmConfig().ToConfig())
            Assert.True(original[field]?.ToJsonString() == swappedBack[field]?.ToJsonString(), $"{name} -> pndm: {field} = {swappedBack[field]?.ToJsonString()}, expected {original[field]?.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void AddNoiseIsTheForwardProcessAtThatTimestep(string name)
    {
        var scheduler = Create(name);
        scheduler.SetTimesteps(10);
        var generator = new TorchGenerator(3);
        var original = Tensor.FromArray(generator.Randn(LatentShape.ToArray()), LatentShape);
        var noise = Tensor.FromArray(generator.Randn(LatentShape.ToArray()), LatentShape);
        float[] x = original.ToFloatArray();
        float[] n = noise.ToFloatArray();
        bool sigmaSpace = scheduler is EulerScheduler or EulerAncestralScheduler or LmsScheduler or HeunScheduler;

        foreach (double t in scheduler.Timesteps.Distinct())
        {
            scheduler.Reset();
            float[] noisy = scheduler.AddNoise(original, noise, t).ToFloatArray();
            double a = scheduler.Schedule.AlphasCumprod[(int)t];
            // The scheduler's sigma at t: the table's sqrt((1 - a) / a), except Karras sigmas, whose timesteps are rounded.
            double sigma = scheduler.Sigmas is { } sigmas ? sigmas[scheduler.Timesteps.ToList().IndexOf(t)] : Math.Sqrt((1 - a) / a);
            if (name != "dpmpp_2m_karras")
                Assert.True(Math.Abs(sigma - Math.Sqrt((1 - a) / a)) <= 1e-6 * sigma, $"{name}: sigma {sigma} at t = {t} is not the table's");
            for (int i = 0; i < x.Length; i++)
            {
                // q(x_t | x0) = sqrt(a) x0 + sqrt(1 - a) eps = (x0 + sigma eps) / sqrt(sigma^2 + 1); sigma schedulers
                // work in x / sqrt(a) = x0 + sigma eps.
                double expected = sigmaSpace ? x[i] + sigma * n[i] : (x[i] + sigma * n[i]) / Math.Sqrt(sigma * sigma + 1);
                Assert.True(Math.Abs(noisy[i] - expected) <= 1e-5 * (1 + Math.Abs(expected)),
                    $"{name} add_noise at t = {t}, element {i}: {noisy[i]} vs q(x_t | x0) = {expected}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void StrengthStartsInsideTheScheduleAndRunsToTheEnd(string name)
    {
        foreach (double strength in new[] { 1.0, 0.6, 0.35 })
        {
            var scheduler = Create(name);
            scheduler.SetTimesteps(10);
            var window = scheduler.BeginAtStrength(strength);
            int tStart = 10 - Math.Min((int)(10 * strength), 10);
            string context = $"{name} strength {strength}";
            Assert.Equal(tStart * scheduler.Order, window.BeginIndex);
            Assert.Equal(window.BeginIndex, scheduler.BeginIndex);
            Assert.Equal(scheduler.Timesteps.Skip(window.BeginIndex), window.Timesteps);
            Assert.Equal(10 - tStart, window.InferenceSteps);

            var generator = new TorchGenerator(9);
            var b = Tensor.FromArray(generator.Randn(LatentShape.ToArray()), LatentShape);
            var x = scheduler.AddNoise(b * 0.5f, Tensor.FromArray(generator.Randn(LatentShape.ToArray()), LatentShape), window.NoiseTimestep);
            var source = new TorchNoiseSource(generator);
            foreach (double t in window.Timesteps)
            {
                var input = scheduler.ScaleModelInput(x, t);
                x = scheduler.Step(input * 0.1f + b * (float)Math.Cos(t * Math.PI / 1000), t, x, source).PrevSample;
            }
            Assert.True(x.ToFloatArray().All(float.IsFinite), $"{context}: non-finite result");
        }

        var tooWeak = Create(name);
        tooWeak.SetTimesteps(10);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => tooWeak.BeginAtStrength(0.05));
        Assert.Contains("leaves no step", error.Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void StochasticStepsNeedANoiseSourceAndOthersDoNot(string name)
    {
        var scheduler = Create(name);
        scheduler.SetTimesteps(4);
        double t = scheduler.Timesteps[0];
        var sample = Tensor.Ones(LatentShape);
        var input = scheduler.ScaleModelInput(sample, t);
        if (name is "ddpm" or "euler_a" or "lcm")
        {
            var error = Assert.Throws<ArgumentNullException>(() => scheduler.Step(input * 0.1f, t, sample));
            Assert.Contains(scheduler.ClassName, error.Message);
        }
        else
        {
            Assert.True(scheduler.Step(input * 0.1f, t, sample).PrevSample.Shape == LatentShape);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MisuseFailsLoudlyNamingTheScheduler(string name)
    {
        var scheduler = Create(name);
        var sample = Tensor.Ones(LatentShape);
        var beforeTimesteps = Assert.Throws<InvalidOperationException>(() => scheduler.Step(sample, 1, sample));
        Assert.Contains("SetTimesteps", beforeTimesteps.Message);
        Assert.Contains(scheduler.ClassName, beforeTimesteps.Message);

        scheduler.SetTimesteps(4);
        double t = scheduler.Timesteps[0];
        var shapes = Assert.ThrowsAny<ArgumentException>(() => scheduler.Step(Tensor.Ones([2, 4, 5, 4]), t, sample));
        Assert.Contains(scheduler.ClassName, shapes.Message);

        // A timestep that is not a training timestep (or, for the counting schedulers, not the next one) is refused.
        var wrongTimestep = Assert.ThrowsAny<ArgumentException>(() => scheduler.Step(sample, 0.5, sample, new TorchNoiseSource(new TorchGenerator(1))));
        Assert.Contains(scheduler.ClassName, wrongTimestep.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.SetTimesteps(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.SetTimesteps(1001));
    }

    [Theory]
    [InlineData("euler")]
    [InlineData("euler_a")]
    [InlineData("lms")]
    [InlineData("heun")]
    [InlineData("dpmpp_2m")]
    [InlineData("lcm")]
    public void CountingSchedulersRefuseTimestepsOutOfOrderAndPastTheEnd(string name)
    {
        var scheduler = Create(name);
        scheduler.SetTimesteps(3);
        var sample = Tensor.Ones(LatentShape);
        var noise = new TorchNoiseSource(new TorchGenerator(2));
        scheduler.Step(sample * 0.1f, scheduler.Timesteps[0], sample, noise);
        var skipped = Assert.Throws<ArgumentException>(() => scheduler.Step(sample * 0.1f, scheduler.Timesteps[^1], sample, noise));
        Assert.Contains("pass Timesteps in order", skipped.Message);

        foreach (double t in scheduler.Timesteps.Skip(1))
            scheduler.Step(sample * 0.1f, t, sample, noise);
        var pastEnd = Assert.Throws<InvalidOperationException>(() => scheduler.Step(sample * 0.1f, scheduler.Timesteps[^1], sample, noise));
        Assert.Contains("Reset()", pastEnd.Message);
    }

    private static Scheduler Create(string name, string spacing = "leading")
    {
        var config = SchedulerRegistry.StableDiffusion15Config();
        config["timestep_spacing"] = spacing;
        return SchedulerRegistry.Create(name, config);
    }

    // The synthetic loop of the fixtures on a batch-2, non-square latent; noise from a seeded generator.
    private static List<SchedulerOutput> RunLoop(Scheduler scheduler, int seed, bool setTimesteps = true)
    {
        if (setTimesteps)
            scheduler.SetTimesteps(6);
        var generator = new TorchGenerator((ulong)seed);
        var b = Tensor.FromArray(generator.Randn(LatentShape.ToArray()), LatentShape);
        var x = Tensor.FromArray(generator.Randn(LatentShape.ToArray()), LatentShape) * scheduler.InitNoiseSigma;
        var noise = new TorchNoiseSource(generator);
        var outputs = new List<SchedulerOutput>();
        foreach (double t in scheduler.Timesteps)
        {
            var input = scheduler.ScaleModelInput(x, t);
            var output = scheduler.Step(input * 0.1f + b * (float)Math.Cos(t * Math.PI / 1000), t, x, noise);
            outputs.Add(output);
            x = output.PrevSample;
        }
        return outputs;
    }
}
