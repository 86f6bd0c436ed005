using Atelier.Diffusion.Schedulers;

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
