using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>The vector streaming-softmax steps against the scalar path (which is their definition).</summary>
[Trait("Category", "Kernel")]
public sealed unsafe class AttentionSoftmaxTests
{
    [SkippableTheory, MemberData(nameof(AttentionPaths.Vector), MemberType = typeof(AttentionPaths))]
    public void StepsMatchTheScalarDefinition(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        var rng = new Random(6);
        foreach (int lanes in (int[])[16, 48, 64])
            foreach (int rows in (int[])[1, 2, 3, 4, 5, 9, 64])
            {
                // Three successive key blocks; lane 0 stays fully masked, lane 1 is masked until the last block,
                // the others mix masked entries with scores up to ±115 (±80 in natural units).
                var max = new float[lanes]; var sum = new float[lanes];
                Array.Fill(max, float.NegativeInfinity);
                var maxRef = (float[])max.Clone(); var sumRef = (float[])sum.Clone();
                var alpha = new float[lanes]; var alphaRef = new float[lanes];
                for (int step = 0; step < 3; step++)
                {
                    var s = new float[rows * lanes];
                    for (int x = 0; x < s.Length; x++)
                    {
                        int l = x % lanes;
                        bool masked = l == 0 || (l == 1 && step < 2) || rng.Next(5) == 0;
                        s[x] = masked ? float.NegativeInfinity : (rng.NextSingle() * 2f - 1f) * 115f * (step + 1) / 3f;
                    }
                    var sRef = (float[])s.Clone();
                    bool rescale, rescaleRef;
                    fixed (float* ps = s, pm = max, psum = sum, pa = alpha, psr = sRef, pmr = maxRef, psumr = sumRef, par = alphaRef)
                    {
                        rescale = AttentionSoftmax.Step(isa, ps, rows, lanes, lanes, pm, psum, pa);
                        rescaleRef = AttentionSoftmax.Step(AttentionIsa.Scalar, psr, rows, lanes, lanes, pmr, psumr, par);
                    }
                    string where = $"{isa} lanes {lanes} rows {rows} step {step}";
                    Assert.Equal(rescaleRef, rescale);
                    AssertClose(maxRef, max, 0f, where + " max");
                    AssertClose(alphaRef, alpha, 3e-7f, where + " alpha");
                    AssertClose(sRef, s, 3e-7f, where + " weights");
                    AssertClose(sumRef, sum, 3e-7f * rows, where + " sum");
                    Assert.Equal(0f, sum[0]);
                }
            }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.Vector), MemberType = typeof(AttentionPaths))]
    public void BackwardHelpersMatchTheScalarDefinition(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        var rng = new Random(8);
        const int Rows = 7, Lanes = 48;
        float[] s = Fill(rng, Rows * Lanes, 40f), lse2 = Fill(rng, Lanes, 40f), dp = Fill(rng, Rows * Lanes, 1f), delta = Fill(rng, Lanes, 1f);
        float[] acc = Fill(rng, Rows * Lanes, 1f), alpha = Fill(rng, Lanes, 1f);
        lse2[3] = float.PositiveInfinity;                 // a query that saw no key
        s[5] = float.NegativeInfinity;                    // a masked score
        float[] sRef = (float[])s.Clone(), dpRef = (float[])dp.Clone(), accRef = (float[])acc.Clone();
        fixed (float* ps = s, pl = lse2, pdp = dp, pd = delta, pacc = acc, pal = alpha, psr = sRef, pdpr = dpRef, paccr = accRef)
        {
            AttentionSoftmax.Probabilities(isa, ps, Rows, Lanes, Lanes, pl);
            AttentionSoftmax.Probabilities(AttentionIsa.Scalar, psr, Rows, Lanes, Lanes, pl);
            AttentionSoftmax.ScoreGradient(isa, ps, pdp, Rows, Lanes, Lanes, pd);
            AttentionSoftmax.ScoreGradient(AttentionIsa.Scalar, ps, pdpr, Rows, Lanes, Lanes, pd);
            AttentionSoftmax.Rescale(isa, pacc, Rows, Lanes, Lanes, pal);
            AttentionSoftmax.Rescale(AttentionIsa.Scalar, paccr, Rows, Lanes, Lanes, pal);
        }
        AssertClose(sRef, s, 3e-7f, $"{isa} probabilities");
        Assert.Equal(0f, s[5]);
        for (int j = 0; j < Rows; j++) Assert.Equal(0f, s[j * Lanes + 3]);
        AssertClose(dpRef, dp, 0f, $"{isa} score gradient");
        AssertClose(accRef, acc, 0f, $"{isa} rescale");
    }

    private static float[] Fill(Random rng, int count, float magnitude)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (rng.NextSingle() * 2f - 1f) * magnitude;
        return x;
    }

    // Relative tolerance (values are weights in [0, 1] or sums of them); infinities must match exactly.
    private static void AssertClose(float[] expected, float[] actual, float relative, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            bool ok = float.IsFinite(e) ? Math.Abs(a - e) <= relative * Math.Max(1f, Math.Abs(e)) : a.Equals(e);
            if (!ok) Assert.Fail($"{what}: element {i} = {a:R}, scalar definition {e:R}");
        }
    }
}
