using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>The tiled forward pass against <see cref="AttentionKernel.ForwardReference"/> on every instruction-set path.</summary>
[Trait("Category", "Kernel")]
public sealed unsafe class AttentionForwardTests
{
    private static void CheckAgainstReference(AttentionIsa isa, AttentionCase c, float atol = 2e-5f, float rtol = 1e-4f)
    {
        c.RunReferenceForward();
        float[] before = c.Raw(c.O, c.OLayout, c.Nq);
        c.RunForward(isa);
        AttentionAssert.Close("O", c, c.O, c.ORef, c.OLayout, c.Nq, atol, rtol);
        AttentionAssert.CloseRows("log-sum-exp", c, c.Lse, c.LseRef, atol, rtol);
        c.AssertGapsUnchanged("O", c.O, c.OLayout, c.Nq, before);
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void EveryHeadDimFrom1To33(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        for (int d = 1; d <= 33; d++)
        {
            using var c = new AttentionCase(1, 2, 19, 70, d, causal: d % 3 == 0, seed: d,
                qLayout: (AttentionLayoutKind)(d % 3), kvLayout: (AttentionLayoutKind)((d + 1) % 3));
            CheckAgainstReference(isa, c);
        }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void HeadDimsOfStableDiffusionAndClip(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        foreach (int d in (int[])[40, 64, 80, 160])
            foreach (var (nq, nk, causal) in ((int, int, bool)[])[(130, 130, false), (77, 77, true), (150, 77, false), (65, 129, true)])
            {
                using var c = new AttentionCase(2, 2, nq, nk, d, causal, seed: d * 1000 + nq,
                    qLayout: AttentionLayoutKind.Interleaved, kvLayout: AttentionLayoutKind.Interleaved);
                CheckAgainstReference(isa, c);
            }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void SequenceLengthsAroundTheTileEdges(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        int[] lengths = [1, 2, 15, 16, 17, 63, 64, 65, 127, 129];
        foreach (int nq in lengths)
            foreach (int nk in lengths)
            {
                using var c = new AttentionCase(1, 1, nq, nk, 8, causal: false, seed: nq * 131 + nk);
                CheckAgainstReference(isa, c);
            }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void CausalWithSquareWideAndTallScores(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        // Nq = Nk (self-attention), Nq < Nk (queries aligned with the last keys), Nq > Nk (the first Nq − Nk
        // queries see no key: O = 0, log-sum-exp = −∞).
        foreach (var (nq, nk) in ((int, int)[])[(1, 1), (5, 5), (64, 64), (77, 77), (100, 100), (3, 80), (40, 150), (70, 65), (130, 20), (9, 1)])
        {
            using var c = new AttentionCase(2, 3, nq, nk, 16, causal: true, seed: nq * 7 + nk);
            CheckAgainstReference(isa, c);
        }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void EveryLayoutCombination(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        foreach (AttentionLayoutKind ql in Enum.GetValues<AttentionLayoutKind>())
            foreach (AttentionLayoutKind kvl in Enum.GetValues<AttentionLayoutKind>())
            {
                using var c = new AttentionCase(2, 3, 33, 45, 24, causal: false, seed: (int)ql * 3 + (int)kvl, qLayout: ql, kvLayout: kvl);
                CheckAgainstReference(isa, c);
            }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void StridedKeysPackedInSeveralChunks(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        // 8.5 MB of K and V per head: one (batch, head) pair per packing chunk, three chunks.
        using var c = new AttentionCase(1, 3, 5, 8200, 130, causal: true, seed: 16,
            qLayout: AttentionLayoutKind.Interleaved, kvLayout: AttentionLayoutKind.Interleaved);
        Assert.Equal(1, AttentionKernel.PairsPerChunk(3, c.Nk, c.Dim, c.KLayout, c.VLayout));
        CheckAgainstReference(isa, c);
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void LargeScoresDoNotOverflow(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        foreach (bool causal in (bool[])[false, true])
        {
            using var c = new AttentionCase(1, 2, 90, 90, 40, causal, seed: 80);
            c.ScaleScoresTo(80f);
            // A score error of one ulp of 80 (7.6e-6) moves a weight by that relative amount; the two sides round differently.
            CheckAgainstReference(isa, c, atol: 1e-4f, rtol: 1e-4f);
        }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void RowsThatSeeOneKeyCopyItsValueExactly(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        // Causal Nq = Nk: query 0 sees key 0 only. Nk = 1: every query sees the single key. Weight 2^0 = 1, sum 1.
        using var causal = new AttentionCase(1, 2, 70, 70, 40, causal: true, seed: 1);
        causal.ScaleScoresTo(80f);
        causal.RunForward(isa);
        using var single = new AttentionCase(2, 2, 33, 1, 40, causal: false, seed: 2);
        single.RunForward(isa);
        for (int h = 0; h < 2; h++)
        {
            AssertRowEquals(causal, AttentionCase.At(causal.O, causal.OLayout, 0, h, 0), AttentionCase.At(causal.V, causal.VLayout, 0, h, 0));
            for (int b = 0; b < 2; b++)
                for (int i = 0; i < 33; i++)
                    AssertRowEquals(single, AttentionCase.At(single.O, single.OLayout, b, h, i), AttentionCase.At(single.V, single.VLayout, b, h, 0));
        }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void ZeroAndNegativeScales(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        foreach (float scale in (float[])[0f, -0.3f, 2.5f])
        {
            using var c = new AttentionCase(1, 2, 30, 50, 16, causal: scale < 0, seed: 15) { Scale = scale };
            CheckAgainstReference(isa, c);
        }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void LogSumExpIsOptional(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        using var c = new AttentionCase(1, 2, 40, 50, 16, causal: true, seed: 5);
        c.RunReferenceForward();
        c.RunForward(isa, withLse: false);
        AttentionAssert.Close("O", c, c.O, c.ORef, c.OLayout, c.Nq, 2e-5f, 1e-4f);
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void EmptyDimensionsAreWellDefined(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        foreach (var (b, h, nq, nk, d) in ((int, int, int, int, int)[])[(0, 2, 5, 5, 8), (1, 0, 5, 5, 8), (1, 2, 0, 5, 8), (1, 2, 5, 0, 8), (1, 2, 5, 7, 0)])
        {
            using var c = new AttentionCase(b, h, nq, nk, d, causal: false, seed: 9);
            CheckAgainstReference(isa, c);
        }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void BitIdenticalForAnyThreadCount(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        int saved = Parallelism.Threads;
        try
        {
            using var c = new AttentionCase(2, 3, 150, 140, 40, causal: true, seed: 11, qLayout: AttentionLayoutKind.Interleaved);
            float[]? firstO = null, firstLse = null;
            foreach (int threads in (int[])[1, 2, 3])
            {
                Parallelism.Threads = threads;
                c.RunForward(isa);
                float[] o = c.Snapshot(c.O, c.OLayout, c.Nq), lse = new Span<float>(c.Lse, 2 * 3 * 150).ToArray();
                if (firstO is null) { firstO = o; firstLse = lse; continue; }
                AttentionAssert.BitEqual("O", firstO, o, $"threads {threads} vs 1; {c.Describe()}");
                AttentionAssert.BitEqual("log-sum-exp", firstLse!, lse, $"threads {threads} vs 1; {c.Describe()}");
            }
        }
        finally
        {
            Parallelism.Threads = saved;
        }
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void OutputMayOverwriteQ(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        using var c = new AttentionCase(2, 3, 100, 70, 40, causal: true, seed: 14, qLayout: AttentionLayoutKind.Interleaved);
        c.RunReferenceForward();
        AttentionKernel.Forward(isa, c.Batch, c.Heads, c.Nq, c.Nk, c.Dim, c.Q, c.QLayout, c.K, c.KLayout, c.V, c.VLayout,
            c.Q, c.QLayout, c.Scale, c.Causal, c.Lse);
        AttentionAssert.Close("O written over Q", c, c.Q, c.ORef, c.QLayout, c.Nq, 2e-5f, 1e-4f);
    }

    [Fact]
    public void PublicEntryRunsTheBestPath()
    {
        using var c = new AttentionCase(1, 2, 70, 70, 40, causal: true, seed: 3);
        c.RunForward(AttentionIsaSupport.Best);
        float[] best = c.Snapshot(c.O, c.OLayout, c.Nq);
        AttentionKernel.Forward(c.Batch, c.Heads, c.Nq, c.Nk, c.Dim, c.Q, c.QLayout, c.K, c.KLayout, c.V, c.VLayout, c.O, c.OLayout, c.Scale, c.Causal, c.Lse);
        AttentionAssert.BitEqual("O", best, c.Snapshot(c.O, c.OLayout, c.Nq), c.Describe());
    }

    [Fact]
    public void WorkspaceStaysSmallAtStableDiffusionSizes()
    {
        // 64x64 latent: 4096 tokens, 8 heads of 40 from a [B, N, H·D] projection, batch 2 (classifier-free guidance):
        // per-task tiles plus the packed K, V chunk stay under 64 MB even with 64 workers.
        long perTask = AttentionKernel.ForwardTaskWorkspaceBytes(40);
        Assert.Equal((2L * 40 + AttentionKernel.KeyBlock + 3) * AttentionKernel.QueryBlock * sizeof(float), perTask);
        var layout = AttentionLayout.Interleaved(8, 4096, 40);
        int saved = Parallelism.Threads;
        try
        {
            Parallelism.Threads = 64;
            long total = AttentionKernel.ForwardWorkspaceBytes(2, 8, 4096, 4096, 40, layout, layout);
            Assert.True(total <= 64L << 20, $"{total} bytes of workspace at 4096 tokens exceeds 64 MB");
            Assert.True(total >= AttentionKernel.PackedKeysBudget - (2L * 4096 * 40 * sizeof(float)), $"{total} bytes: K, V were expected to be packed");
            // Contiguous K and V are used in place.
            var contiguous = AttentionLayout.Contiguous(8, 4096, 40);
            Assert.Equal(64 * perTask, AttentionKernel.ForwardWorkspaceBytes(2, 8, 4096, 4096, 40, contiguous, contiguous));
        }
        finally
        {
            Parallelism.Threads = saved;
        }
    }

    private static void AssertRowEquals(AttentionCase c, float* actual, float* expected)
    {
        for (int d = 0; d < c.Dim; d++)
            if (BitConverter.SingleToInt32Bits(actual[d]) != BitConverter.SingleToInt32Bits(expected[d]))
                Assert.Fail($"element {d}: got {actual[d]:R}, expected the value row {expected[d]:R} exactly; {c.Describe()}");
    }
}
