using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>
/// The tiled backward pass against <see cref="AttentionKernel.BackwardReference"/>, against finite differences of
/// the forward, and for determinism across thread counts.
/// </summary>
[Trait("Category", "Kernel")]
public sealed unsafe class AttentionBackwardTests
{
    private static void CheckAgainstReference(AttentionIsa isa, AttentionCase c)
    {
        c.RunReferenceForward();
        c.RunReferenceBackward();
        float[] dqBefore = c.Raw(c.GradQ, c.QLayout, c.Nq), dkBefore = c.Raw(c.GradK, c.KLayout, c.Nk), dvBefore = c.Raw(c.GradV, c.VLayout, c.Nk);
        c.RunForward(isa);
        c.RunBackward(isa);
        // Gradients sum up to Nq (dK, dV) or Nk (dQ) terms of either sign; the tiled sums group them differently.
        AttentionAssert.Close("dQ", c, c.GradQ, c.GradQRef, c.QLayout, c.Nq, 1e-4f, 1e-3f);
        AttentionAssert.Close("dK", c, c.GradK, c.GradKRef, c.KLayout, c.Nk, 1e-4f, 1e-3f);
        AttentionAssert.Close("dV", c, c.GradV, c.GradVRef, c.VLayout, c.Nk, 1e-4f, 1e-3f);
        c.AssertGapsUnchanged("dQ", c.GradQ, c.QLayout, c.Nq, dqBefore);
        c.AssertGapsUnchanged("dK", c.GradK, c.KLayout, c.Nk, dkBefore);
        c.AssertGapsUnchanged("dV", c.GradV, c.VLayout, c.Nk, dvBefore);
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void HeadDimsAndTileEdges(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        foreach (int d in (int[])[1, 3, 8, 16, 17, 32, 33, 40, 64, 80])
            foreach (var (nq, nk) in ((int, int)[])[(1, 1), (17, 70), (64, 64), (65, 129), (130, 40)])
            {
                using var c = new AttentionCase(1, 2, nq, nk, d, causal: (d + nq) % 2 == 0, seed: d * 100 + nq,
                    qLayout: (AttentionLayoutKind)(d % 3), kvLayout: (AttentionLayoutKind)(nq % 3));
                CheckAgainstReference(isa, c);
            }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void CausalWithSquareWideAndTallScores(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        foreach (var (nq, nk) in ((int, int)[])[(1, 1), (77, 77), (150, 150), (10, 140), (140, 10), (9, 1)])
        {
            using var c = new AttentionCase(2, 3, nq, nk, 16, causal: true, seed: nq + nk);
            CheckAgainstReference(isa, c);
        }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void ManyHeadsUseOneTaskPerHead(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        // batch x heads >= 16: no key groups, dQ written directly.
        using var c = new AttentionCase(4, 5, 70, 200, 24, causal: false, seed: 12, qLayout: AttentionLayoutKind.Interleaved, kvLayout: AttentionLayoutKind.Padded);
        Assert.Equal(1, AttentionKernel.BackwardGroups(c.Batch, c.Heads, c.Nk));
        CheckAgainstReference(isa, c);
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void LargeScores(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        using var c = new AttentionCase(1, 2, 70, 90, 40, causal: true, seed: 81);
        c.ScaleScoresTo(80f);
        c.RunReferenceForward();
        c.RunReferenceBackward();
        c.RunForward(isa);
        c.RunBackward(isa);
        // Near-one-hot weights: a score error of an ulp of 80 moves p by ~1e-5 relative, and dQ, dK carry |q|, |k| ~ 10.
        AttentionAssert.Close("dQ", c, c.GradQ, c.GradQRef, c.QLayout, c.Nq, 1e-3f, 1e-3f);
        AttentionAssert.Close("dK", c, c.GradK, c.GradKRef, c.KLayout, c.Nk, 1e-3f, 1e-3f);
        AttentionAssert.Close("dV", c, c.GradV, c.GradVRef, c.VLayout, c.Nk, 1e-4f, 1e-3f);
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void EmptyDimensionsGiveZeroGradients(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        foreach (var (nq, nk) in ((int, int)[])[(0, 5), (5, 0)])
        {
            using var c = new AttentionCase(1, 2, nq, nk, 8, causal: false, seed: 3);
            CheckAgainstReference(isa, c);
        }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void MatchesFiniteDifferencesOfTheForward(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        foreach (bool causal in (bool[])[false, true])
        {
            using var c = new AttentionCase(1, 2, 5, 7, 3, causal, seed: causal ? 21 : 20);
            c.RunForward(isa);
            c.RunBackward(isa);
            // L = Σ O ∘ dO, so dL/dx is what the backward returns for the dO of the case.
            CheckFiniteDifferences(c, "dQ", c.Q, c.QLayout, c.Nq, c.GradQ);
            CheckFiniteDifferences(c, "dK", c.K, c.KLayout, c.Nk, c.GradK);
            CheckFiniteDifferences(c, "dV", c.V, c.VLayout, c.Nk, c.GradV);
        }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void BitIdenticalForAnyThreadCount(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        int saved = Parallelism.Threads;
        try
        {
            // 1 x 2 heads: split into key groups whose partial dQ are summed afterwards; 4 x 5: one task per head.
            foreach (var (b, h) in ((int, int)[])[(1, 2), (4, 5)])
            {
                using var c = new AttentionCase(b, h, 150, 300, 40, causal: true, seed: 13);
                c.RunForward(isa);
                float[][]? first = null;
                foreach (int threads in (int[])[1, 2, 3])
                {
                    Parallelism.Threads = threads;
                    c.RunBackward(isa);
                    float[][] grads = [c.Snapshot(c.GradQ, c.QLayout, c.Nq), c.Snapshot(c.GradK, c.KLayout, c.Nk), c.Snapshot(c.GradV, c.VLayout, c.Nk)];
                    if (first is null) { first = grads; continue; }
                    string[] names = ["dQ", "dK", "dV"];
                    for (int g = 0; g < 3; g++)
                        AttentionAssert.BitEqual(names[g], first[g], grads[g], $"threads {threads} vs 1; {c.Describe()}");
                }
            }
        }
        finally
        {
            Parallelism.Threads = saved;
        }
    }

    private static void CheckFiniteDifferences(AttentionCase c, string name, float* x, in AttentionLayout layout, int rows, float* grad)
    {
        for (int b = 0; b < c.Batch; b++)
            for (int h = 0; h < c.Heads; h++)
                for (int i = 0; i < rows; i++)
                    for (int d = 0; d < c.Dim; d++)
                    {
                        float* e = AttentionCase.At(x, layout, b, h, i) + d;
                        float saved = *e;
                        *e = saved + 1e-3f; float plus = *e; double lossPlus = Loss(c);
                        *e = saved - 1e-3f; float minus = *e; double lossMinus = Loss(c);
                        *e = saved;
                        double numeric = (lossPlus - lossMinus) / ((double)plus - minus);
                        float analytic = AttentionCase.At(grad, layout, b, h, i)[d];
                        Assert.True(Math.Abs(analytic - numeric) <= 1e-4 + 1e-3 * Math.Abs(numeric),
                            $"{name}[{b}, {h}, {i}, {d}]: backward {analytic:R}, finite difference {numeric:R}; {c.Describe()}");
                    }
    }

    // Σ O ∘ dO with O computed in double precision straight from the definition.
    private static double Loss(AttentionCase c)
    {
        double loss = 0;
        var s = new double[c.Nk];
        for (int b = 0; b < c.Batch; b++)
            for (int h = 0; h < c.Heads; h++)
                for (int i = 0; i < c.Nq; i++)
                {
                    float* qi = AttentionCase.At(c.Q, c.QLayout, b, h, i);
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < c.Nk; j++)
                    {
                        if (c.Causal && j > i + c.Nk - c.Nq) { s[j] = double.NegativeInfinity; continue; }
                        float* kj = AttentionCase.At(c.K, c.KLayout, b, h, j);
                        double dot = 0;
                        for (int d = 0; d < c.Dim; d++) dot += (double)qi[d] * kj[d];
                        s[j] = dot * c.Scale;
                        max = Math.Max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < c.Nk; j++) { s[j] = Math.Exp(s[j] - max); sum += s[j]; }
                    float* gi = AttentionCase.At(c.GradO, c.OLayout, b, h, i);
                    for (int d = 0; d < c.Dim; d++)
                    {
                        double o = 0;
                        for (int j = 0; j < c.Nk; j++) o += s[j] * AttentionCase.At(c.V, c.VLayout, b, h, j)[d];
                        loss += o / sum * gi[d];
                    }
                }
        return loss;
    }
}
