using Atelier.Diffusion.Schedulers;
using Atelier.Tensors;

namespace Atelier.Diffusion.Tests.Schedulers;

public class NoiseScheduleTests
{
    [SkippableFact]
    public void StableDiffusionScheduleMatchesTorchFloat32BitForBit()
    {
        var expected = SchedulerFixtures.LoadTensors("schedulers/base_schedule.safetensors");
        var schedule = NoiseSchedule.Create(1000, 0.00085, 0.012, BetaSchedule.ScaledLinear);

        AssertBitExact("betas", expected["betas"].Values, schedule.Betas);
        AssertBitExact("alphas", expected["alphas"].Values, schedule.Alphas);
        AssertBitExact("alphas_cumprod", expected["alphas_cumprod"].Values, schedule.AlphasCumprod);
        AssertBitExact("sigma_table", expected["sigma_table"].Values, schedule.SigmaTable);

        // EulerDiscreteScheduler.sigmas right after construction: the table reversed, then 0.
        float[] eulerInit = [.. schedule.SigmaTable.Reverse(), 0f];
        AssertBitExact("euler_sigmas_init", expected["euler_sigmas_init"].Values, eulerInit);
    }

    [Fact]
    public void LinearScheduleSpansBetaStartToBetaEnd()
    {
        var schedule = NoiseSchedule.Create(1000, 0.0001, 0.02, BetaSchedule.Linear);
        Assert.Equal(0.0001f, schedule.Betas[0]);
        Assert.Equal(0.02f, schedule.Betas[^1]);
        for (int i = 1; i < 1000; i++)
            Assert.True(schedule.Betas[i] > schedule.Betas[i - 1] && schedule.AlphasCumprod[i] < schedule.AlphasCumprod[i - 1], $"not monotonic at {i}");
    }

    [Fact]
    public void CosineScheduleFollowsAlphaBarOfNicholAndDhariwal()
    {
        var schedule = NoiseSchedule.Create(1000, 0, 0, BetaSchedule.SquaredCosCapV2);
        static double F(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        Assert.True(schedule.Betas.All(b => b > 0 && b <= 0.999f));
        Assert.Equal(0.999f, schedule.Betas[^1]); // the cap
        for (int t = 0; t < 990; t += 7)
        {
            double expected = F((t + 1) / 1000.0) / F(0);
            Assert.True(Math.Abs(schedule.AlphasCumprod[t] - expected) <= 1e-5 * expected + 1e-7, $"alpha-bar[{t}] = {schedule.AlphasCumprod[t]}, cosine schedule {expected}");
        }
    }

    [Fact]
    public void ZeroTerminalSnrRescaleEndsAtPureNoiseAndKeepsTheStart()
    {
        var plain = NoiseSchedule.Create(1000, 0.00085, 0.012, BetaSchedule.ScaledLinear);
        var rescaled = NoiseSchedule.Create(1000, 0.00085, 0.012, BetaSchedule.ScaledLinear, rescaleBetasZeroSnr: true);
        Assert.Equal(0f, rescaled.AlphasCumprod[^1]);
        Assert.Equal(1f, rescaled.Betas[^1]);
        Assert.True(Math.Abs(rescaled.AlphasCumprod[0] - plain.AlphasCumprod[0]) < 1e-6);

        // Sigma schedulers replace the terminal alpha-bar by 2^-24 so that the first sigma is finite.
        var config = SchedulerRegistry.StableDiffusion15Config();
        config["rescale_betas_zero_snr"] = true;
        config["timestep_spacing"] = "trailing";
        var euler = SchedulerRegistry.Create("euler", config);
        Assert.Equal(MathF.Pow(2, -24), euler.Schedule.AlphasCumprod[^1]);
        euler.SetTimesteps(10);
        Assert.True(float.IsFinite(euler.Sigmas![0]) && euler.Sigmas[0] > 4000, $"first sigma {euler.Sigmas[0]}");
    }

    [Fact]
    public void TrainedBetasAreUsedAsGivenAndChecked()
    {
        double[] betas = Enumerable.Range(0, 10).Select(i => 0.01 + 0.01 * i).ToArray();
        var schedule = NoiseSchedule.Create(10, 0, 0, BetaSchedule.Linear, betas);
        Assert.Equal(betas.Select(b => (float)b), schedule.Betas);
        var error = Assert.Throws<ArgumentException>(() => NoiseSchedule.Create(12, 0, 0, BetaSchedule.Linear, betas));
        Assert.Contains("num_train_timesteps is 12", error.Message);
        Assert.Throws<ArgumentException>(() => NoiseSchedule.Create(10, 0, 0, BetaSchedule.Linear, betas.Select(b => -b).ToArray()));
    }

    [Fact]
    public void VelocityAndNoisedSampleGiveBackTheOriginal()
    {
        var schedule = NoiseSchedule.Create(1000, 0.00085, 0.012, BetaSchedule.ScaledLinear);
        var generator = new TorchGenerator(21);
        var x0 = Tensor.FromArray(generator.Randn(1, 4, 6, 6), [1, 4, 6, 6]);
        var eps = Tensor.FromArray(generator.Randn(1, 4, 6, 6), [1, 4, 6, 6]);
        foreach (int t in new[] { 0, 250, 999 })
        {
            float a = schedule.AlphasCumprod[t];
            var xt = schedule.AddNoise(x0, eps, t);
            var v = schedule.GetVelocity(x0, eps, t);
            // x0 = sqrt(a) x_t - sqrt(1 - a) v (Salimans and Ho 2022, §4).
            TensorAssert.Close(x0.ToFloatArray(), xt * MathF.Sqrt(a) - v * MathF.Sqrt(1 - a), 1e-5, 0, $"x0 from v at t = {t}");
        }
        Assert.Throws<TensorShapeException>(() => schedule.AddNoise(x0, Tensor.Ones([1, 4, 6, 5]), 10));
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => schedule.AddNoise(x0, eps, 1000));
        Assert.Contains("0 … 999", outside.Message);
    }

    [Fact]
    public void TorchLinspaceStaysWithinTwoUlpsOfTheExactValues()
    {
        Assert.Empty(TorchLinspace.Float32(0, 1, 0));
        Assert.Equal([0.25f], TorchLinspace.Float32(0.25, 1, 1));
        float ulp = MathF.BitIncrement(2.7f) - 2.7f; // the spacing of floats at the largest magnitude in the range
        foreach (int steps in new[] { 2, 15, 16, 17, 33, 1000, 1001 })
        {
            float[] y = TorchLinspace.Float32(-0.3, 2.7, steps);
            Assert.Equal(-0.3f, y[0]);
            Assert.Equal(2.7f, y[^1]);
            for (int i = 0; i < steps; i++)
            {
                double exact = -0.3 + 3.0 * i / (steps - 1);
                Assert.True(Math.Abs(y[i] - exact) <= 2 * ulp, $"steps {steps} [{i}]: {y[i]} vs {exact}");
            }
        }
    }

    [Fact]
    public void NumPyRoutinesFollowNumPy()
    {
        Assert.Equal([0.0, 333, 666, 999], NumPy.Linspace(0, 999, 4));
        Assert.Equal([0.0], NumPy.Linspace(0, 999, 1));
        Assert.Equal([0.0, 12.5, 25, 37.5], NumPy.Linspace(0, 50, 4, endpoint: false));
        Assert.Equal([1000.0, 750, 500, 250], NumPy.Arange(1000, 0, -250));
        Assert.Equal(3, NumPy.Arange(1000, 0, -1000 / 3.0).Length);
        Assert.Equal(2, NumPy.Round(2.5));
        Assert.Equal(4, NumPy.Round(3.5));
        Assert.Equal(-2, NumPy.Round(-2.5));
        double[] xp = [0, 1, 2];
        double[] fp = [10, 20, 40];
        Assert.Equal(10, NumPy.Interp(-1, xp, fp));
        Assert.Equal(40, NumPy.Interp(5, xp, fp));
        Assert.Equal(20, NumPy.Interp(1, xp, fp));
        Assert.Equal(30, NumPy.Interp(1.5, xp, fp));
        Assert.True(double.IsNaN(NumPy.Interp(double.NaN, xp, fp)));
    }

    internal static void AssertBitExact(string what, float[] expected, IReadOnlyList<float> actual)
    {
        Assert.True(expected.Length == actual.Count, $"{what}: {actual.Count} values, expected {expected.Length}");
        int mismatches = 0;
        int first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                mismatches++;
                if (first < 0) first = i;
            }
        }
        Assert.True(mismatches == 0, $"{what}: {mismatches} of {expected.Length} values differ in bits; first at [{first}]: {(first >= 0 ? actual[first].ToString("R") : "")} vs expected {(first >= 0 ? expected[first].ToString("R") : "")}");
    }
}
