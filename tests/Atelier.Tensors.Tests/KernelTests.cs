using System.Runtime.Intrinsics;
using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests;

/// <summary>
/// Every SIMD path against its scalar reference, at every length 0 … 4×16+1 and ragged large sizes. On a machine
/// (or CI leg) without hardware intrinsics the vector paths are skipped and the dispatching entry points still
/// run (on the scalar path) against the same references.
/// </summary>
[Trait("Category", "Kernel")]
public unsafe class KernelTests
{
    internal static readonly int[] Lengths = [.. Enumerable.Range(0, 4 * 16 + 2), 1000, 4099];

    private static float[] Data(int n, int seed, float lo = -4, float hi = 4)
    {
        var rng = new Random(seed + n);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * (float)rng.NextDouble();
        return x;
    }

    /// <summary>The dispatching entry point plus every vector width this machine runs.</summary>
    private static IEnumerable<string> Paths()
    {
        yield return "dispatch";
        if (Vector512.IsHardwareAccelerated) yield return "v512";
        if (Vector256.IsHardwareAccelerated) yield return "v256";
    }

    /// <summary>Passes when within tolerance; the message is only built on failure (these run millions of times).</summary>
    private static void AssertClose(float expected, float actual, double rtol, Func<string> what, double atol = 0)
    {
        if (float.IsNaN(expected) && float.IsNaN(actual)) return;
        if (expected == actual) return;
        double err = Math.Abs((double)expected - actual);
        if (err <= rtol * Math.Max(Math.Abs(expected), 1e-30) + 1e-37 + atol) return;
        Assert.Fail($"{what()}: expected {expected:R}, got {actual:R} (relative error {err / Math.Abs(expected):E2} > {rtol:E1})");
    }

    private static void CheckUnary<TOp>(string name, TOp op, double rtol, float lo = -4, float hi = 4) where TOp : struct, IUnaryOperator
    {
        foreach (int n in Lengths)
        {
            var x = Data(n, 1, lo, hi);
            var expected = new float[n];
            var got = new float[n];
            fixed (float* px = x, pe = expected, pg = got)
            {
                UnaryKernel.ApplyScalar(op, px, pe, n);
                foreach (string path in Paths())
                {
                    Array.Fill(got, float.NaN);
                    if (path == "v512") UnaryKernel.ApplyVector512(op, px, pg, n);
                    else if (path == "v256") UnaryKernel.ApplyVector256(op, px, pg, n);
                    else UnaryKernel.Apply(op, px, pg, n);
                    for (int i = 0; i < n; i++) AssertClose(expected[i], got[i], rtol, () => $"{name} {path} n={n} i={i} x={x[i]:R}");
                }
                // In place (y aliases x) gives the same result.
                var inPlace = (float[])x.Clone();
                fixed (float* pi = inPlace) UnaryKernel.Apply(op, pi, pi, n);
                UnaryKernel.Apply(op, px, pg, n);
                Assert.Equal(got, inPlace);
            }
        }
    }

    /// <param name="gradientFloor">For gradient operators (g, x): an absolute tolerance of this times |g|, since
    /// g·f'(x) crosses zero where f' does and relative error means nothing there.</param>
    private static void CheckBinary<TOp>(string name, TOp op, double rtol, float lo = -4, float hi = 4, double gradientFloor = 0) where TOp : struct, IBinaryOperator
    {
        foreach (int n in Lengths)
        {
            var a = Data(n, 2, lo, hi);
            var b = Data(n, 3, lo, hi);
            var expected = new float[n];
            var got = new float[n];
            fixed (float* pa = a, pb = b, pe = expected, pg = got)
            {
                BinaryKernel.ApplyScalar(op, pa, pb, pe, n);
                foreach (string path in Paths())
                {
                    Array.Fill(got, float.NaN);
                    if (path == "v512") BinaryKernel.ApplyVector512(op, pa, pb, pg, n);
                    else if (path == "v256") BinaryKernel.ApplyVector256(op, pa, pb, pg, n);
                    else BinaryKernel.Apply(op, pa, pb, pg, n);
                    for (int i = 0; i < n; i++) AssertClose(expected[i], got[i], rtol, () => $"{name} {path} n={n} i={i}", gradientFloor * Math.Abs(a[i]));
                }
            }
        }
    }

    [Fact]
    public void ArithmeticIsExactInEveryWidth()
    {
        CheckBinary("add", new AddOperator(), 0);
        CheckBinary("sub", new SubtractOperator(), 0);
        CheckBinary("mul", new MultiplyOperator(), 0);
        CheckBinary("div", new DivideOperator(), 0);
        CheckBinary("max", new MaxOperator(), 0);
        CheckUnary("neg", new NegateOperator(), 0);
        CheckUnary("abs", new AbsOperator(), 0);
        CheckUnary("square", new SquareOperator(), 0);
        CheckUnary("sqrt", new SqrtOperator(), 0, 0, 100);
        CheckUnary("rsqrt", new RsqrtOperator(), 0, 1e-3f, 100);
        CheckUnary("relu", new ReluOperator(), 0);
        CheckUnary("clamp", new ClampOperator(-1, 2), 0);
        CheckUnary("add scalar", new BoundRight<AddOperator>(default, 0.5f), 0);
        CheckUnary("scalar div", new BoundLeft<DivideOperator>(default, 3f), 0);
        CheckUnary("normalize", new NormalizeOperator(0.25f, 1.5f, -0.5f), 0);
        CheckBinary("relu grad", new ReluGradOperator(), 0);
        CheckBinary("clamp grad", new ClampGradOperator(-1, 2), 0);
        CheckBinary("abs grad", new AbsGradOperator(), 0);
    }

    [Fact]
    public void TranscendentalsAgreeWithScalarWithinUlps()
    {
        CheckUnary("exp", new ExpOperator(), 4e-7, -80, 80);
        CheckUnary("exp shift", new ExpShiftOperator(1.5f), 4e-7, -60, 60);
        CheckUnary("log", new LogOperator(), 4e-7, 1e-6f, 1000);
        CheckUnary("sin", new SinOperator(), 4e-7, -6, 6);
        CheckUnary("cos", new CosOperator(), 4e-7, -6, 6);
        CheckUnary("tanh", new TanhOperator(), 4e-7, -10, 10);
        CheckUnary("tanh small", new TanhOperator(), 4e-7, -1e-3f, 1e-3f);
        CheckUnary("sigmoid", new SigmoidOperator(), 5e-7, -30, 30);
        CheckUnary("silu", new SiluOperator(1f), 5e-7, -30, 30);
        CheckUnary("quick gelu", new SiluOperator(1.702f), 5e-7, -30, 30);
        CheckUnary("gelu", new GeluOperator(), 1e-6, -12, 12);
        CheckUnary("gelu tanh", new GeluTanhOperator(), 1e-6, -12, 12);
        CheckUnary("pow 1.7", new PowOperator(1.7f), 4e-7, 0, 50);
        CheckUnary("pow -3", new PowOperator(-3f), 4e-7, -5, 5);
        CheckUnary("pow 0.5 negative", new PowOperator(0.5f), 4e-7, -5, 5);
        CheckBinary("silu grad", new SiluGradOperator(1f), 2e-6, -20, 20, gradientFloor: 1e-6);
        CheckBinary("quick gelu grad", new SiluGradOperator(1.702f), 2e-6, -20, 20, gradientFloor: 1e-6);
        CheckBinary("gelu grad", new GeluGradOperator(), 2e-6, -10, 10, gradientFloor: 1e-6);
        CheckBinary("gelu tanh grad", new GeluTanhGradOperator(), 2e-6, -10, 10, gradientFloor: 1e-6);
        CheckBinary("tanh grad", new TanhGradOperator(), 0, -1, 1);
        CheckBinary("sigmoid grad", new SigmoidGradOperator(), 0, 0, 1);
        CheckBinary("pow grad", new PowGradOperator(2.5f), 1e-6, 0.1f, 4);
        CheckBinary("geglu", new GegluOperator(), 1e-6, -12, 12);
        CheckUnary("normalize silu", new NormalizeSiluOperator(0.25f, 1.5f, -0.5f), 5e-7, -30, 30);
    }

    /// <summary>The fused operators are exactly their parts in turn, in every width (the ops rely on it).</summary>
    [Fact]
    public void FusedOperatorsEqualTheirPartsExactly()
    {
        foreach (int n in Lengths)
        {
            var value = Data(n, 20, -12, 12);
            var gate = Data(n, 21, -12, 12);
            var fused = new float[n];
            var parts = new float[n];
            fixed (float* pv = value, pg = gate, pf = fused, pp = parts)
            {
                foreach (string path in Paths())
                {
                    if (path == "v512") { BinaryKernel.ApplyVector512(new GegluOperator(), pv, pg, pf, n); UnaryKernel.ApplyVector512(new GeluOperator(), pg, pp, n); BinaryKernel.ApplyVector512(new MultiplyOperator(), pv, pp, pp, n); }
                    else if (path == "v256") { BinaryKernel.ApplyVector256(new GegluOperator(), pv, pg, pf, n); UnaryKernel.ApplyVector256(new GeluOperator(), pg, pp, n); BinaryKernel.ApplyVector256(new MultiplyOperator(), pv, pp, pp, n); }
                    else { BinaryKernel.Apply(new GegluOperator(), pv, pg, pf, n); UnaryKernel.Apply(new GeluOperator(), pg, pp, n); BinaryKernel.Apply(new MultiplyOperator(), pv, pp, pp, n); }
                    Assert.True(fused.AsSpan().SequenceEqual(parts), $"geglu {path} n={n} differs from value · gelu(gate)");
                    var norm = new NormalizeOperator(0.25f, 1.5f, -0.5f);
                    if (path == "v512") { UnaryKernel.ApplyVector512(new NormalizeSiluOperator(0.25f, 1.5f, -0.5f), pv, pf, n); UnaryKernel.ApplyVector512(norm, pv, pp, n); UnaryKernel.ApplyVector512(new SiluOperator(1f), pp, pp, n); }
                    else if (path == "v256") { UnaryKernel.ApplyVector256(new NormalizeSiluOperator(0.25f, 1.5f, -0.5f), pv, pf, n); UnaryKernel.ApplyVector256(norm, pv, pp, n); UnaryKernel.ApplyVector256(new SiluOperator(1f), pp, pp, n); }
                    else { UnaryKernel.Apply(new NormalizeSiluOperator(0.25f, 1.5f, -0.5f), pv, pf, n); UnaryKernel.Apply(norm, pv, pp, n); UnaryKernel.Apply(new SiluOperator(1f), pp, pp, n); }
                    Assert.True(fused.AsSpan().SequenceEqual(parts), $"normalize silu {path} n={n} differs from silu(normalize)");
                }
            }
        }
    }

    [Fact]
    public void GegluKernelMatchesReferenceAtEveryWidth()
    {
        foreach (int d in Lengths)
            foreach (int rows in new[] { 1, 3 })
            {
                var x = Data(rows * 2 * d, 22, -6, 6);
                var expected = new float[rows * d];
                var got = new float[rows * d];
                fixed (float* px = x, pe = expected, pg = got)
                {
                    GegluKernel.ForwardReference(px, pe, rows, d);
                    GegluKernel.Forward(px, pg, rows, d);
                }
                for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], got[i], 1e-6, () => $"geglu rows={rows} d={d} i={i}");
            }
    }

    [Fact]
    public void SumsAgreeWithDoubleReference()
    {
        foreach (int n in Lengths.Append(SumKernel.Block * 3 + 17))
        {
            var x = Data(n, 4, -1, 1);
            double abs = x.Sum(v => Math.Abs((double)v));
            fixed (float* p = x)
            {
                float reference = SumKernel.SumScalar(p, n);
                double tol = 1e-6 * abs + 1e-6;
                Assert.True(Math.Abs(SumKernel.Sum(p, n) - reference) <= tol, $"sum n={n}");
                Assert.True(Math.Abs(SumKernel.SumLong(p, n) - reference) <= tol, $"sum long n={n}");
                if (Vector512.IsHardwareAccelerated) Assert.True(Math.Abs(SumKernel.SumVector512(p, n) - reference) <= tol, $"sum v512 n={n}");
                if (Vector256.IsHardwareAccelerated) Assert.True(Math.Abs(SumKernel.SumVector256(p, n) - reference) <= tol, $"sum v256 n={n}");
                float m = n == 0 ? 0 : reference / n;
                float sq = SumKernel.SumSquaredDeviationScalar(p, n, m);
                double sqTol = 1e-6 * sq + 1e-6;
                Assert.True(Math.Abs(SumKernel.SumSquaredDeviation(p, n, m) - sq) <= sqTol, $"ssd n={n}");
                if (Vector512.IsHardwareAccelerated) Assert.True(Math.Abs(SumKernel.SumSquaredDeviationVector512(p, n, m) - sq) <= sqTol, $"ssd v512 n={n}");
                if (Vector256.IsHardwareAccelerated) Assert.True(Math.Abs(SumKernel.SumSquaredDeviationVector256(p, n, m) - sq) <= sqTol, $"ssd v256 n={n}");
            }
        }
    }

    [Fact]
    public void MaxIsExactAndPropagatesNaN()
    {
        foreach (int n in Lengths.Where(n => n > 0))
        {
            var x = Data(n, 5);
            fixed (float* p = x)
            {
                float reference = MaxKernel.MaxScalar(p, n);
                Assert.Equal(x.Max(), reference);
                Assert.Equal(reference, MaxKernel.Max(p, n));
                if (Vector512.IsHardwareAccelerated && n >= 16) Assert.Equal(reference, MaxKernel.MaxVector512(p, n));
                if (Vector256.IsHardwareAccelerated && n >= 8) Assert.Equal(reference, MaxKernel.MaxVector256(p, n));
                Assert.Equal(Array.IndexOf(x, x.Max()), MaxKernel.ArgMax(p, n, 1));
                p[n / 2] = float.NaN;
                Assert.True(float.IsNaN(MaxKernel.Max(p, n)), $"max with NaN n={n}");
                Assert.True(float.IsNaN(MaxKernel.MaxScalar(p, n)));
                Assert.Equal(n / 2, MaxKernel.ArgMax(p, n, 1));
            }
        }
    }

    [Fact]
    public void HalfAndBFloat16ConversionsAreExact()
    {
        // Every f16 bit pattern: normals, subnormals, ±0, ±∞, NaNs.
        var bits = new ushort[65536];
        for (int i = 0; i < bits.Length; i++) bits[i] = (ushort)i;
        var expected = new float[bits.Length];
        var got = new float[bits.Length];
        fixed (ushort* pb = bits)
        fixed (float* pe = expected, pg = got)
        {
            CastKernel.HalfToSingleScalar(pb, pe, bits.Length);
            CastKernel.HalfToSingle(pb, pg, bits.Length);
            for (int i = 0; i < bits.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(got[i]) || (float.IsNaN(expected[i]) && float.IsNaN(got[i])), $"f16 0x{i:X4}: {expected[i]} vs {got[i]}");
            foreach (int n in Lengths)
            {
                CastKernel.HalfToSingle(pb + 30000, pg, n);
                for (int i = 0; i < n; i++) Assert.Equal(expected[30000 + i], got[i]);
            }
            CastKernel.BFloat16ToSingleScalar(pb, pe, bits.Length);
            CastKernel.BFloat16ToSingle(pb, pg, bits.Length);
            for (int i = 0; i < bits.Length; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(got[i]));
        }
        foreach (int n in Lengths)
        {
            var x = Data(n, 6, -1e5f, 1e5f);
            if (n > 3) { x[0] = float.NaN; x[1] = float.PositiveInfinity; x[2] = 3.3895314e38f; }
            var e = new ushort[n];
            var g = new ushort[n];
            fixed (float* px = x)
            fixed (ushort* pe = e, pg = g)
            {
                CastKernel.SingleToBFloat16Scalar(px, pe, n);
                CastKernel.SingleToBFloat16(px, pg, n);
            }
            Assert.Equal(e, g);
        }
        Assert.Equal((ushort)0x3F80, CastKernel.SingleToBFloat16(1f));
        Assert.Equal((ushort)0x3F80, CastKernel.SingleToBFloat16(BitConverter.Int32BitsToSingle(0x3F808000))); // tie → even
        Assert.Equal((ushort)0x3F82, CastKernel.SingleToBFloat16(BitConverter.Int32BitsToSingle(0x3F818000))); // tie → even (up)
    }

    [Fact]
    public void SoftmaxAndNormalizationMatchReferences()
    {
        foreach (int n in Lengths.Where(n => n > 0))
        {
            const int rows = 3;
            var x = Data(rows * n, 7, -10, 10);
            var w = Data(n, 8);
            var b = Data(n, 9);
            var e = new float[rows * n];
            var g = new float[rows * n];
            var stats = new float[4 * rows];
            fixed (float* px = x, pw = w, pb = b, pe = e, pg = g, ps = stats)
            {
                SoftmaxKernel.SoftmaxReference(px, pe, rows, n);
                SoftmaxKernel.Softmax(px, pg, rows, n);
                for (int i = 0; i < e.Length; i++) AssertClose(e[i], g[i], 2e-6, () => $"softmax n={n} i={i}");
                SoftmaxKernel.LogSoftmaxReference(px, pe, rows, n);
                SoftmaxKernel.LogSoftmax(px, pg, rows, n);
                for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - g[i]) <= 2e-6 * Math.Max(1, Math.Abs(e[i])), $"log softmax n={n} i={i}");
                NormalizationKernel.LayerNormReference(px, pw, pb, pe, ps, ps + rows, rows, n, 1e-5f);
                NormalizationKernel.LayerNorm(px, pw, pb, pg, ps + 2 * rows, ps + 3 * rows, rows, n, 1e-5f);
                for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - g[i]) <= 1e-5 * Math.Max(1, Math.Abs(e[i])), $"layer norm n={n} i={i}: {e[i]} vs {g[i]}");
            }
        }
        foreach (var (n, c, s, groups) in new[] { (1, 4, 1L, 2), (2, 6, 7L, 3), (2, 32, 33L, 8), (1, 20, 1000L, 10) })
        {
            var x = Data((int)(n * c * s), 10, -3, 5);
            var gamma = Data(c, 11);
            var beta = Data(c, 12);
            var e = new float[x.Length];
            var g = new float[x.Length];
            var stats = new float[4 * n * groups];
            fixed (float* px = x, pw = gamma, pb = beta, pe = e, pg = g, ps = stats)
            {
                NormalizationKernel.GroupNormReference(px, pw, pb, pe, ps, ps + n * groups, n, c, s, groups, 1e-5f);
                NormalizationKernel.GroupNorm(px, pw, pb, pg, ps + 2 * n * groups, ps + 3 * n * groups, n, c, s, groups, 1e-5f);
            }
            for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - g[i]) <= 1e-5 * Math.Max(1, Math.Abs(e[i])), $"group norm {n},{c},{s},{groups} i={i}");
            fixed (float* px = x, pw = gamma, pb = beta, pe = e, pg = g, ps = stats)
            {
                NormalizationKernel.GroupNormReference(px, pw, pb, pe, ps, ps + n * groups, n, c, s, groups, 1e-5f, silu: true);
                NormalizationKernel.GroupNorm(px, pw, pb, pg, ps + 2 * n * groups, ps + 3 * n * groups, n, c, s, groups, 1e-5f, silu: true);
            }
            for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - g[i]) <= 1e-5 * Math.Max(1, Math.Abs(e[i])), $"group norm silu {n},{c},{s},{groups} i={i}");
        }
    }

    [Fact]
    public void UpsampleAndStridedCopyMatchReferences()
    {
        foreach (int factor in new[] { 1, 2, 3 })
            foreach (int w in new[] { 1, 7, 8, 9, 17, 40 })
            {
                var x = Data(2 * 3 * w, 13);
                var e = new float[x.Length * factor * factor];
                var g = new float[e.Length];
                fixed (float* px = x, pe = e, pg = g)
                {
                    UpsampleNearestKernel.Reference(px, pe, 2, 3, w, factor);
                    UpsampleNearestKernel.Forward(px, pg, 2, 3, w, factor);
                }
                Assert.Equal(e, g);
            }
        // Permutations, with and without conversion to F16; sizes around the 8×8 register blocks and 64-row tiles.
        foreach (int[] shape in new[] { new[] { 3, 5, 7, 9 }, new[] { 2, 3, 16, 24 }, new[] { 1, 2, 67, 17 }, new[] { 2, 1, 128, 8 } })
            foreach (var perm in new[] { new[] { 0, 1, 3, 2 }, new[] { 3, 2, 1, 0 }, new[] { 0, 2, 1, 3 }, new[] { 1, 0, 3, 2 } })
                CheckPermutedCopy(shape, perm);
    }

    private static void CheckPermutedCopy(int[] shape, int[] perm)
    {
        var src = Data(shape.Aggregate(1, (a, b) => a * b), 14);
        {
            var dims = perm.Select(p => shape[p]).ToArray();
            var baseStrides = Tensor.ContiguousStrides(new Shape(shape));
            var srcStrides = perm.Select(p => baseStrides[p]).ToArray();
            var dstStrides = Tensor.ContiguousStrides(new Shape(dims));
            foreach (var dstType in new[] { DType.F32, DType.F16 })
            {
                var e = new byte[src.Length * dstType.Size()];
                var g = new byte[e.Length];
                fixed (float* ps = src)
                fixed (byte* pe = e, pg = g)
                {
                    StridedCopy.CopyReference(dims, (byte*)ps, srcStrides, DType.F32, pe, dstStrides, dstType);
                    StridedCopy.Copy(dims, (byte*)ps, srcStrides, DType.F32, pg, dstStrides, dstType);
                }
                Assert.Equal(e, g);
            }
        }
    }

    [Fact]
    public void VectorMathIsAccurateAgainstDoublePrecision()
    {
        var rng = new Random(15);
        var x = new float[20000];
        var y = new float[x.Length];
        void Run<TOp>(TOp op, float lo, float hi, Func<double, double> exact, double rtol, double atol, Func<double, double>? rtolOf = null) where TOp : struct, IUnaryOperator
        {
            for (int i = 0; i < x.Length; i++) x[i] = lo + (hi - lo) * (float)rng.NextDouble();
            fixed (float* px = x, py = y) UnaryKernel.Apply(op, px, py, x.Length);
            for (int i = 0; i < x.Length; i++)
            {
                double r = exact(x[i]);
                double tol = rtolOf?.Invoke(x[i]) ?? rtol;
                Assert.True(Math.Abs(y[i] - r) <= tol * Math.Abs(r) + atol, $"{typeof(TOp).Name} x={x[i]:R}: {y[i]:R} vs exact {r:R}");
            }
        }
        Run(new ExpOperator(), -87, 88, Math.Exp, 3e-7, 0);
        Run(new LogOperator(), 1e-30f, 1e30f, Math.Log, 3e-7, 1e-7);
        Run(new SinOperator(), -1000, 1000, Math.Sin, 0, 2e-7);   // timestep embeddings: large arguments
        Run(new CosOperator(), -1000, 1000, Math.Cos, 0, 2e-7);
        Run(new TanhOperator(), -12, 12, Math.Tanh, 2e-7, 1e-37);
        Run(new SigmoidOperator(), -80, 80, DoubleReference.Sigmoid, 5e-7, 1e-38);
        Run(new GeluOperator(), -12, 12, DoubleReference.Gelu, 1e-6, 1e-37);
        Run(new GeluOperator(), -1, 1, DoubleReference.Gelu, 1e-6, 1e-37);
        // Tanh form: the documented error model, 1e-6 plus ~2e-7 per unit of the exponent |2u| (the tail below x = -3).
        Run(new GeluTanhOperator(), -9, 8, DoubleReference.GeluTanh, 0, 1e-37,
            v => 1e-6 + 2.5e-7 * Math.Abs(2 * Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)) * (v < -3 ? 1 : 0));
        Run(new PowOperator(2.5f), 0, 20, v => Math.Pow(v, 2.5), 3e-7, 0);
    }

    [Fact]
    public void GeluSpecialValuesFollowPyTorch()
    {
        Assert.Equal(float.PositiveInfinity, new GeluOperator().Invoke(float.PositiveInfinity));
        Assert.True(float.IsNaN(new GeluOperator().Invoke(float.NegativeInfinity)));
        Assert.True(float.IsNaN(new GeluOperator().Invoke(float.NaN)));
        Assert.Equal(0f, new GeluOperator().Invoke(0f));
        var v = new GeluOperator().Invoke(Vector512.Create(float.PositiveInfinity));
        Assert.Equal(float.PositiveInfinity, v.GetElement(0));
    }
}
