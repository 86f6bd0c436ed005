namespace Atelier.Tensors.Tests;

/// <summary>
/// The avx_mathfun emulation is judged bit for bit by the fixture tests; these check that it is the function it claims
/// to be (a log and a sin/cos within a couple of float ulps over the sampler's whole input range) and its edge cases.
/// </summary>
[Trait("Category", "Kernel")]
public class CephesFloatMathTests
{
    [Fact]
    public void LogIsAccurateOnEverySamplerInput()
    {
        // The sampler takes log(1 - u) for u = k / 2^24, i.e. x = m / 2^24 for m = 1 .. 2^24. Check a dense stride of them
        // plus the extremes.
        double worst = 0;
        for (int m = 1; m <= 1 << 24; m += m < 4096 ? 1 : 997)
            worst = Math.Max(worst, UlpError(CephesFloatMath.Log(m / 16777216f), Math.Log(m / 16777216.0)));
        worst = Math.Max(worst, UlpError(CephesFloatMath.Log(1f), 0.0));
        Assert.True(worst <= 2.0, $"log error {worst:F2} ulp");
        Assert.Equal(0f, CephesFloatMath.Log(1f));
    }

    [Fact]
    public void LogHandlesLargeSmallAndInvalidInputsLikeTheVectorCode()
    {
        foreach (float x in new[] { 2f, 10f, 12345.678f, 1e30f, float.MaxValue, 1.17549435e-38f })
            Assert.True(UlpError(CephesFloatMath.Log(x), Math.Log(x)) <= 2.0, $"log({x})");
        Assert.True(float.IsNaN(CephesFloatMath.Log(0f)));
        Assert.True(float.IsNaN(CephesFloatMath.Log(-1f)));
        // Subnormals are clamped to the smallest normal number before the exponent is extracted.
        Assert.Equal(CephesFloatMath.Log(1.17549435e-38f), CephesFloatMath.Log(1e-40f));
    }

    [Fact]
    public void SinCosAreAccurateOverOneTurnAndSymmetric()
    {
        // The sampler's θ = 2π·u lies in [0, 2π); errors are measured against |value| + 2^-24 because cos and sin are
        // relative to 1 near their zeros.
        double worst = 0;
        for (int k = 0; k < 1 << 16; k++)
        {
            float theta = 6.2831855f * k / 65536f;
            CephesFloatMath.SinCos(theta, out float sin, out float cos);
            worst = Math.Max(worst, Math.Abs(sin - Math.Sin(theta)));
            worst = Math.Max(worst, Math.Abs(cos - Math.Cos(theta)));
            CephesFloatMath.SinCos(-theta, out float sinNeg, out float cosNeg);
            Assert.Equal(-sin, sinNeg);
            Assert.Equal(cos, cosNeg);
        }
        Assert.True(worst <= 2.5e-7, $"sin/cos abs error {worst:g3}");
        CephesFloatMath.SinCos(0f, out float s0, out float c0);
        Assert.Equal((0f, 1f), (s0, c0));
    }

    private static double UlpError(float actual, double exact)
    {
        double ulp = Math.Max(Math.BitIncrement(Math.Abs((double)(float)exact)) - Math.Abs((double)(float)exact), 0)
            * (1 << 29); // a float ulp at this magnitude (double ulp × 2^29)
        return Math.Abs(actual - exact) / Math.Max(ulp, double.Epsilon);
    }
}
