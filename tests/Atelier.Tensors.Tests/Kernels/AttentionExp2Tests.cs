using System.Runtime.Intrinsics;
using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>The vector 2^t of the streaming softmax against 2^t in double precision.</summary>
[Trait("Category", "Kernel")]
public sealed class AttentionExp2Tests
{
    [SkippableTheory, MemberData(nameof(AttentionPaths.Vector), MemberType = typeof(AttentionPaths))]
    public void WithinOneUlpOverTheNormalRange(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        var rng = new Random(2);
        var inputs = new List<float>();
        for (int i = 0; i <= 125 * 4096; i++) inputs.Add(-i / 4096f);                    // the softmax domain, t <= 0
        for (int i = 0; i < 100_000; i++) inputs.Add(-125f * rng.NextSingle());
        for (int i = 0; i < 10_000; i++) inputs.Add(20f * rng.NextSingle());              // and a little above 0
        float[] results = Evaluate(isa, [.. inputs]);
        double worst = 0; float worstT = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            double exact = Math.Pow(2, inputs[i]);
            float rounded = (float)exact;
            double ulp = MathF.BitIncrement(rounded) - rounded;
            double error = Math.Abs(results[i] - exact) / ulp;
            if (error > worst) { worst = error; worstT = inputs[i]; }
        }
        Assert.True(worst <= 1, $"{isa}: 2^t is off by {worst:F2} ulp at t = {worstT:R}");
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.Vector), MemberType = typeof(AttentionPaths))]
    public void SpecialValues(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        float[] t = [0f, -0f, float.NegativeInfinity, float.NaN, -1e30f, -160f, -200f, -126.5f, 1f, -1f, -10f, -124f, 5f, -125f, -3.5f, -0.5f];
        float[] r = Evaluate(isa, t);
        Assert.Equal(1f, r[0]);
        Assert.Equal(1f, r[1]);
        Assert.Equal(0f, r[2]);                      // masked scores drop out exactly
        Assert.True(float.IsNaN(r[3]), $"2^NaN gave {r[3]}");
        Assert.Equal(0f, r[4]);
        Assert.Equal(0f, r[5]);
        Assert.Equal(0f, r[6]);
        // Below 2^-125 Vector512 keeps subnormals, Vector256 flushes; both are within 2^-126 of the truth.
        Assert.True(Math.Abs(r[7] - Math.Pow(2, -126.5)) <= Math.Pow(2, -126), $"2^-126.5 gave {r[7]:R}");
        // Integers are exact powers of two.
        Assert.Equal(2f, r[8]);
        Assert.Equal(0.5f, r[9]);
        Assert.Equal(1f / 1024, r[10]);
        Assert.Equal(MathF.ScaleB(1f, -124), r[11]);
        Assert.Equal(32f, r[12]);
        Assert.Equal(MathF.ScaleB(1f, -125), r[13]);
    }

    private static float[] Evaluate(AttentionIsa isa, float[] t)
    {
        int width = isa == AttentionIsa.Vector512 ? 16 : 8;
        var padded = new float[(t.Length + width - 1) / width * width];
        t.CopyTo(padded, 0);
        var result = new float[padded.Length];
        for (int i = 0; i < padded.Length; i += width)
        {
            if (isa == AttentionIsa.Vector512)
                AttentionExp2.Exp2(Vector512.Create(padded.AsSpan(i, 16))).CopyTo(result.AsSpan(i));
            else
                AttentionExp2.Exp2(Vector256.Create(padded.AsSpan(i, 8))).CopyTo(result.AsSpan(i));
        }
        return result[..t.Length];
    }
}
