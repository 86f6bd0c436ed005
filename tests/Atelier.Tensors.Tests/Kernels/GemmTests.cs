using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>
/// Every GEMM path against two references: bit-exactly against the multiply-add chain the fast paths promise
/// (<see cref="Chain"/>: beta·c, then one (fused) multiply-add per k in ascending order), and within a
/// summation-order tolerance against <see cref="Gemm.Reference"/>, the definition.
/// </summary>
[Trait("Category", "Kernel")]
public sealed unsafe class GemmTests
{
    public static IEnumerable<object[]> TailLengths() => Enumerable.Range(0, 4 * 16 + 2).Select(i => new object[] { i });

    internal static IEnumerable<KernelIsa> Isas() => Enum.GetValues<KernelIsa>().Where(isa => isa <= Gemm.BestIsa);

    [Theory]
    [MemberData(nameof(TailLengths))]
    public void EveryRowTail(int m) => CheckAllPaths(m, 45, 37);

    [Theory]
    [MemberData(nameof(TailLengths))]
    public void EveryColumnTail(int n) => CheckAllPaths(23, n, 37);

    [Theory]
    [MemberData(nameof(TailLengths))]
    public void EveryDepthTail(int k) => CheckAllPaths(23, 45, k);

    [Theory]
    [InlineData(29, 33, 255)]
    [InlineData(29, 33, 256)]
    [InlineData(29, 33, 257)]
    [InlineData(15, 65, 513)]
    [InlineData(267, 31, 40)]   // more rows than one A block of the AVX-512 kernel (MC = 266)
    [InlineData(337, 97, 300)]
    public void DepthBlocksAndRowBlocks(int m, int n, int k) => CheckAllPaths(m, n, k);

    [Fact]
    public void SeveralColumnBlocks()
    {
        // The packed B of one column block is capped at 8 Mi floats: K = 2900 (12 depth blocks) and N = 2900
        // (91 panels of 32) need two blocks on the AVX-512 path.
        foreach (var isa in Isas())
            Check(isa, blocked: true, 5, 2900, 2900, DType.F32, Layout.RowMajor, DType.BF16, Layout.RowMajor, 1f, 0.5f, seed: 61);
    }

    [Fact]
    public void BatchedSmallProductsAreBitIdenticalForOneTwoThreeThreads()
    {
        const int batch = 24, m = 40, n = 33, k = 65;
        using var a = new GemmTestMatrix(batch * m, k, DType.F32, Layout.RowMajor, 71);
        using var b = new GemmTestMatrix(batch * n, k, DType.F16, Layout.RowMajor, 72); // each B is stored [N, K]
        var a0 = new MatrixView(a.View.Data, a.Type, m, k, k, 1);
        var b0 = new MatrixView(b.View.Data, b.Type, k, n, 1, k);
        float[]? first = null;
        int saved = Parallelism.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Parallelism.Threads = threads;
                using var c = new GemmTestOutput(batch * m, n, 73, padding: 0);
                Gemm.MultiplyBatched(batch, a0, (long)m * k, b0, (long)n * k, c.Data, n, (long)m * n);
                float[] got = c.All();
                if (first is null) first = got;
                else Assert.True(first.AsSpan().SequenceEqual(got), $"batched result with {threads} threads differs from 1 thread");
            }
        }
        finally { Parallelism.Threads = saved; }
    }

    /// <summary>C = A·B + bias + residual with the bias written into each tile by the driver and the residual added
    /// after its last block gives exactly what filling C with the bias, accumulating with beta = 1 and adding the
    /// residual afterwards gives (small and packed paths, row, column and depth tails, either part absent).</summary>
    [Theory]
    [InlineData(3, 5, 7)]
    [InlineData(23, 45, 37)]
    [InlineData(29, 33, 257)]
    [InlineData(267, 31, 40)]
    [InlineData(40, 70, 300)]
    public void EpilogueEqualsSeparatePasses(int m, int n, int k)
    {
        using var a = new GemmTestMatrix(m, k, DType.F32, Layout.RowMajor, 81);
        using var b = new GemmTestMatrix(k, n, DType.F16, Layout.ColMajor, 82);
        using var bias = new GemmTestOutput(1, n, 83, padding: 0);
        using var residual = new GemmTestOutput(m, n, 85);
        foreach (bool withBias in new[] { true, false })
            foreach (bool withResidual in new[] { true, false })
            {
                using var got = new GemmTestOutput(m, n, 84);
                using var expected = got.Clone();
                if (withBias)
                    for (int i = 0; i < m; i++) new ReadOnlySpan<float>(bias.Data, n).CopyTo(new Span<float>(expected.Data + i * expected.Ld, n));
                Gemm.Multiply(a.View, b.View, expected.Data, expected.Ld, 1f, withBias ? 1f : 0f);
                if (withResidual)
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) expected.Data[i * expected.Ld + j] += residual.Data[i * residual.Ld + j];
                Gemm.MultiplyWithEpilogue(a.View, b.View, got.Data, got.Ld, withBias ? bias.Data : null, withResidual ? residual.Data : null);
                Assert.True(expected.All().AsSpan().SequenceEqual(got.All()), $"M={m} N={n} K={k} bias={withBias} residual={withResidual}: the epilogue differs from separate passes");
            }
    }

    [Fact]
    public void RaggedLargeMatchesReference()
    {
        using var a = new GemmTestMatrix(1000, 999, DType.F32, Layout.RowMajor, 1);
        using var b = new GemmTestMatrix(999, 1001, DType.F32, Layout.RowMajor, 2);
        using var c = new GemmTestOutput(1000, 1001, 3);
        using var expected = c.Clone();
        Gemm.Reference(a.View, b.View, expected.Data, expected.Ld, 1f, 0f);
        Gemm.Multiply(a.View, b.View, c.Data, c.Ld);
        AssertClose(a, b, null, c, expected, 1f, 0f, "1000x999 · 999x1001");
    }

    public static IEnumerable<object[]> Operands()
    {
        foreach (var ta in new[] { DType.F32, DType.F16, DType.BF16 })
            foreach (var la in Enum.GetValues<Layout>())
                foreach (var tb in new[] { DType.F32, DType.F16, DType.BF16 })
                    foreach (var lb in Enum.GetValues<Layout>())
                        yield return [ta, la, tb, lb];
    }

    [Theory]
    [MemberData(nameof(Operands))]
    public void AnyDtypeAndLayout(DType typeA, Layout layoutA, DType typeB, Layout layoutB)
    {
        foreach (var isa in Isas())
        {
            Check(isa, blocked: true, 45, 70, 300, typeA, layoutA, typeB, layoutB, 1f, 0f, seed: 11);
            Check(isa, blocked: false, 5, 9, 17, typeA, layoutA, typeB, layoutB, 1f, 0f, seed: 12);
        }
    }

    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(0.5f, -2f)]
    [InlineData(-3f, 0.25f)]
    [InlineData(0f, 1.5f)]
    [InlineData(2f, 0f)]
    public void AlphaAndBeta(float alpha, float beta)
    {
        foreach (var isa in Isas())
            foreach (bool blocked in new[] { true, false })
            {
                Check(isa, blocked, 31, 50, 270, DType.F32, Layout.RowMajor, DType.F32, Layout.RowMajor, alpha, beta, 21);
                Check(isa, blocked, 17, 33, 20, DType.F16, Layout.ColMajor, DType.BF16, Layout.Padded, alpha, beta, 22);
            }
    }

    [Fact]
    public void BetaZeroIgnoresNaNInC()
    {
        using var a = new GemmTestMatrix(20, 30, DType.F32, Layout.RowMajor, 1);
        using var b = new GemmTestMatrix(30, 40, DType.F32, Layout.RowMajor, 2);
        foreach (var isa in Isas())
            foreach (bool blocked in new[] { true, false })
            {
                using var c = new GemmTestOutput(20, 40, 3);
                for (int i = 0; i < 20; i++) c.Data[i * c.Ld + 7] = float.NaN;
                Run(isa, blocked, a.View, b.View, c, 1f, 0f);
                for (int i = 0; i < 20; i++)
                    Assert.False(float.IsNaN(c.Data[i * c.Ld + 7]), $"{isa} blocked={blocked}: NaN in C survived beta = 0 at row {i}");
            }
    }

    [Theory]
    [InlineData(0, 10, 10)]
    [InlineData(10, 0, 10)]
    [InlineData(10, 10, 0)]
    [InlineData(300, 200, 0)]
    public void DegenerateSizes(int m, int n, int k)
    {
        foreach (var isa in Isas())
            foreach (bool blocked in new[] { true, false })
            {
                Check(isa, blocked, m, n, k, DType.F32, Layout.RowMajor, DType.F32, Layout.RowMajor, 1f, 0f, 31);
                Check(isa, blocked, m, n, k, DType.F32, Layout.RowMajor, DType.F32, Layout.RowMajor, 2f, 0.5f, 32);
            }
    }

    [Fact]
    public void BitIdenticalForOneTwoThreeThreads()
    {
        using var a = new GemmTestMatrix(301, 517, DType.F32, Layout.RowMajor, 41);
        using var b = new GemmTestMatrix(517, 259, DType.F16, Layout.ColMajor, 42);
        float[]? first = null;
        int saved = Parallelism.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Parallelism.Threads = threads;
                using var c = new GemmTestOutput(301, 259, 43);
                Gemm.Multiply(a.View, b.View, c.Data, c.Ld, 0.75f, 0.5f);
                float[] got = c.All();
                if (first is null) first = got;
                else Assert.True(first.AsSpan().SequenceEqual(got), $"result with {threads} threads differs from 1 thread");
            }
        }
        finally { Parallelism.Threads = saved; }
    }

    [Fact]
    public void BatchedMatchesOneByOne()
    {
        const int batch = 5, m = 19, n = 23, k = 31;
        using var a = new GemmTestMatrix(batch * m, k, DType.F32, Layout.RowMajor, 51);
        using var b = new GemmTestMatrix(batch * k, n, DType.BF16, Layout.RowMajor, 52);
        using var c = new GemmTestOutput(batch * m, n, 53, padding: 0);
        using var expected = c.Clone();
        var a0 = new MatrixView(a.View.Data, a.Type, m, k, k, 1);
        var b0 = new MatrixView(b.View.Data, b.Type, k, n, n, 1);
        Gemm.MultiplyBatched(batch, a0, (long)m * k, b0, (long)k * n, c.Data, n, (long)m * n, 1.5f, 0.5f);
        for (int i = 0; i < batch; i++)
        {
            var ai = new MatrixView((float*)a.View.Data + i * m * k, a.Type, m, k, k, 1);
            var bi = new MatrixView((ushort*)b.View.Data + i * k * n, b.Type, k, n, n, 1);
            Gemm.Multiply(ai, bi, expected.Data + i * m * n, n, 1.5f, 0.5f);
        }
        Assert.True(expected.All().AsSpan().SequenceEqual(c.All()), "batched product differs from the products one by one");
    }

    [Fact]
    public void MismatchedInnerDimensionsThrowWithShapes()
    {
        using var a = new GemmTestMatrix(3, 4, DType.F32, Layout.RowMajor, 1);
        using var b = new GemmTestMatrix(5, 6, DType.F32, Layout.RowMajor, 2);
        using var c = new GemmTestOutput(3, 6, 3);
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(a.View, b.View, c.Data, c.Ld));
        Assert.Contains("[3, 4]", e.Message);
        Assert.Contains("[5, 6]", e.Message);
    }

    [Fact]
    public void OverlappingCRowsThrow()
    {
        using var a = new GemmTestMatrix(3, 4, DType.F32, Layout.RowMajor, 1);
        using var b = new GemmTestMatrix(4, 6, DType.F32, Layout.RowMajor, 2);
        using var c = new GemmTestOutput(3, 6, 3);
        var e = Assert.Throws<ArgumentException>(() => Gemm.Multiply(a.View, b.View, c.Data, 5));
        Assert.Contains("ldc = 5", e.Message);
    }

    [SkippableFact]
    public void Transpose16x16IsATranspose()
    {
        Skip.IfNot(Gemm.BestIsa == KernelIsa.Vector512, "needs AVX-512 (this run has it disabled or absent)");
        float* m = stackalloc float[256];
        for (int i = 0; i < 256; i++) m[i] = i;
        StridedPacker.Transpose16x16(m);
        for (int r = 0; r < 16; r++)
            for (int c = 0; c < 16; c++)
                Assert.Equal(c * 16 + r, m[r * 16 + c]);
    }

    private static void CheckAllPaths(int m, int n, int k)
    {
        foreach (var isa in Isas())
            foreach (bool blocked in new[] { true, false })
            {
                Check(isa, blocked, m, n, k, DType.F32, Layout.RowMajor, DType.F32, Layout.RowMajor, 1f, 0f, seed: m * 10007 + n * 101 + k);
                Check(isa, blocked, m, n, k, DType.F32, Layout.RowMajor, DType.F16, Layout.ColMajor, 1f, 1f, seed: m * 10007 + n * 101 + k + 1);
            }
    }

    private static void Run(KernelIsa isa, bool blocked, in MatrixView a, in MatrixView b, GemmTestOutput c, float alpha, float beta)
    {
        if (blocked) Gemm.MultiplyBlocked(isa, a, b, c.Data, c.Ld, alpha, beta);
        else Gemm.Multiply(isa, a, b, c.Data, c.Ld, alpha, beta);
    }

    private static void Check(KernelIsa isa, bool blocked, int m, int n, int k, DType typeA, Layout layoutA, DType typeB, Layout layoutB,
        float alpha, float beta, int seed)
    {
        using var a = new GemmTestMatrix(m, k, typeA, layoutA, seed);
        using var b = new GemmTestMatrix(k, n, typeB, layoutB, seed + 1);
        using var c = new GemmTestOutput(m, n, seed + 2);
        using var c0 = c.Clone();
        using var reference = c.Clone();
        float[] chain = Chain(a, b, c0, alpha, beta, Gemm.IsFused(isa));
        Run(isa, blocked, a.View, b.View, c, alpha, beta);
        string what = $"{isa} {(blocked ? "blocked" : "auto")} M={m} N={n} K={k} A={typeA}/{layoutA} B={typeB}/{layoutB} alpha={alpha} beta={beta}";
        float[] got = c.All();
        for (int i = 0; i < got.Length; i++)
            if (BitConverter.SingleToInt32Bits(got[i]) != BitConverter.SingleToInt32Bits(chain[i]))
                Assert.Fail($"{what}: element {i / c.Ld},{i % c.Ld} is {got[i]:R}, the multiply-add chain gives {chain[i]:R}");
        Gemm.Reference(a.View, b.View, reference.Data, reference.Ld, alpha, beta);
        AssertClose(a, b, c0, c, reference, alpha, beta, what);
    }

    /// <summary>What the fast paths promise, element by element (padding between rows must be untouched).</summary>
    private static float[] Chain(GemmTestMatrix a, GemmTestMatrix b, GemmTestOutput c, float alpha, float beta, bool fused)
    {
        float[] result = c.All();
        for (int i = 0; i < a.Rows; i++)
            for (int j = 0; j < b.Cols; j++)
            {
                long at = i * c.Ld + j;
                float acc = beta == 0f ? 0f : beta * result[at];
                for (int p = 0; p < a.Cols; p++)
                {
                    float ap = alpha * a[i, p];
                    acc = fused ? MathF.FusedMultiplyAdd(ap, b[p, j], acc) : acc + ap * b[p, j];
                }
                result[at] = acc;
            }
        return result;
    }

    /// <summary>|got − reference| ≤ 2(K+2)·2⁻²⁴·(|alpha|·Σ|a||b| + |beta·c|): the worst-case rounding of two
    /// summation orders; a wrong or missing term is of the order of the whole sum.</summary>
    private static void AssertClose(GemmTestMatrix a, GemmTestMatrix b, GemmTestOutput? c0, GemmTestOutput got, GemmTestOutput reference,
        float alpha, float beta, string what)
    {
        int k = a.Cols;
        double unit = 2.0 * (k + 2) * Math.Pow(2, -24);
        for (int i = 0; i < a.Rows; i++)
            for (int j = 0; j < b.Cols; j++)
            {
                double magnitude = 0;
                for (int p = 0; p < k; p++) magnitude += Math.Abs((double)a[i, p] * b[p, j]);
                magnitude *= Math.Abs(alpha);
                if (c0 is not null && beta != 0f) magnitude += Math.Abs(beta * c0.Data[i * c0.Ld + j]);
                double diff = Math.Abs((double)got.Data[i * got.Ld + j] - reference.Data[i * reference.Ld + j]);
                if (!(diff <= unit * magnitude + 1e-30))
                    Assert.Fail($"{what}: C[{i},{j}] = {got.Data[i * got.Ld + j]:R}, reference {reference.Data[i * reference.Ld + j]:R}, |diff| {diff:G3} > {unit * magnitude:G3}");
            }
    }
}
