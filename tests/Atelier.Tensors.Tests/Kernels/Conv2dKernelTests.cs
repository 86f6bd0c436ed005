using System.Runtime.InteropServices;
using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>
/// The implicit-GEMM convolution passes against the direct-loop references, on every instruction-set level
/// the machine has. Tolerance: 2(K+2)·2⁻²⁴ times the same pass run on absolute values (Σ|x||w| per output),
/// the worst-case rounding gap of two summation orders over K terms.
/// </summary>
[Trait("Category", "Kernel")]
public sealed unsafe class Conv2dKernelTests
{
    public static IEnumerable<object[]> Geometries()
    {
        // N, C, H, W, O, KH, KW, stride, pad, dilation, groups
        yield return [1, 3, 9, 11, 5, 3, 3, 1, 1, 1, 1];
        yield return [2, 32, 17, 19, 20, 3, 3, 1, 1, 1, 1];   // K = 288 crosses a depth block; rows straddle lanes
        yield return [1, 8, 16, 40, 6, 3, 3, 1, 1, 1, 1];     // 16-pixel runs inside one output row
        yield return [1, 6, 15, 33, 7, 3, 3, 2, 1, 1, 1];     // stride 2 (gathers)
        yield return [2, 4, 12, 13, 6, 3, 3, 2, 0, 1, 1];
        yield return [1, 5, 14, 21, 4, 3, 3, 1, 2, 1, 1];     // padding 2
        yield return [1, 4, 20, 23, 6, 3, 3, 1, 2, 2, 1];     // dilation 2
        yield return [2, 8, 10, 11, 12, 3, 3, 1, 1, 1, 4];    // groups
        yield return [1, 6, 9, 9, 6, 3, 3, 1, 1, 1, 6];       // depthwise
        yield return [2, 24, 7, 9, 40, 1, 1, 1, 0, 1, 1];     // 1x1 (plain GEMM)
        yield return [1, 12, 8, 8, 10, 1, 1, 2, 0, 1, 2];     // 1x1 stride 2 (im2col path)
        yield return [1, 3, 13, 17, 4, 5, 3, 1, 2, 1, 1];     // non-square kernel
        yield return [1, 2, 3, 4, 3, 3, 3, 1, 0, 1, 1];       // output 1x2
        // Output planes of a multiple of 32 pixels: the forward runs one GEMM over the whole batch.
        yield return [3, 16, 8, 8, 20, 3, 3, 1, 1, 1, 1];     // 3 images x 64 pixels
        yield return [2, 6, 16, 16, 8, 3, 3, 2, 1, 1, 1];     // stride 2 to 8x8
        yield return [2, 8, 8, 4, 12, 3, 3, 1, 1, 1, 4];      // groups, 32 pixels
        yield return [2, 24, 8, 12, 40, 1, 1, 1, 0, 1, 1];    // 1x1, 96 pixels
    }

    /// <summary>
    /// The whole-batch forward gives exactly (bit for bit) what the forward of each image alone gives: the batch
    /// only changes which GEMM columns an output is in, never its chain of multiply-adds.
    /// </summary>
    [Theory]
    [InlineData(3, 16, 8, 8, 20, 3, 1, 1)]
    [InlineData(2, 24, 8, 12, 40, 1, 0, 1)]
    [InlineData(2, 8, 8, 4, 12, 3, 1, 4)]
    [InlineData(2, 5, 4, 4, 7, 3, 1, 1)]     // 16 pixels: per image on the 512-bit path, batched on the others
    public void BatchedForwardEqualsPerImageForward(int n, int c, int h, int w, int o, int k, int pad, int groups)
    {
        var g = Geometry(n, c, h, w, o, k, k, 1, pad, 1, groups);
        var one = g with { N = 1 };
        long imageIn = Size(1, c, h, w), imageOut = Size(1, o, g.OutH, g.OutW);
        using var x = new Buffer(Size(n, c, h, w), 41);
        using var wt = new Buffer(Size(o, c / groups, k, k), 42);
        using var bias = new Buffer(o, 43);
        foreach (var isa in GemmTests.Isas())
        {
            using var batched = new Buffer(imageOut * n, 0);
            using var single = new Buffer(imageOut * n, 0);
            Conv2dKernel.Forward(isa, g, x.Data, wt.Data, DType.F32, bias.Data, batched.Data);
            for (int i = 0; i < n; i++)
                Conv2dKernel.Forward(isa, one, x.Data + i * imageIn, wt.Data, DType.F32, bias.Data, single.Data + i * imageOut);
            Assert.True(batched.ToArray().AsSpan().SequenceEqual(single.ToArray()), $"conv2d {isa} {g}: the batched forward differs from image-by-image forwards");
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void ForwardMatchesReference(int n, int c, int h, int w, int o, int kh, int kw, int stride, int pad, int dilation, int groups)
    {
        var g = Geometry(n, c, h, w, o, kh, kw, stride, pad, dilation, groups);
        foreach (var type in new[] { DType.F32, DType.F16, DType.BF16 })
            foreach (bool withBias in new[] { true, false })
                foreach (var isa in GemmTests.Isas())
                    CheckForward(isa, g, type, withBias);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void BackwardInputMatchesReference(int n, int c, int h, int w, int o, int kh, int kw, int stride, int pad, int dilation, int groups)
    {
        var g = Geometry(n, c, h, w, o, kh, kw, stride, pad, dilation, groups);
        foreach (var type in new[] { DType.F32, DType.F16 })
            foreach (var isa in GemmTests.Isas())
                CheckBackwardInput(isa, g, type);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void BackwardWeightMatchesReference(int n, int c, int h, int w, int o, int kh, int kw, int stride, int pad, int dilation, int groups)
    {
        var g = Geometry(n, c, h, w, o, kh, kw, stride, pad, dilation, groups);
        foreach (var isa in GemmTests.Isas())
            CheckBackwardWeight(isa, g);
    }

    /// <summary>A residual added by the driver as each output tile is finished equals a separate addition afterwards, bit for bit.</summary>
    [Theory]
    [InlineData(3, 16, 8, 8, 20, 3, 1, 1)]    // batched path
    [InlineData(2, 8, 8, 4, 12, 3, 1, 4)]     // batched, groups
    [InlineData(2, 5, 9, 7, 6, 3, 1, 1)]      // per image (63 pixels)
    [InlineData(1, 24, 7, 9, 40, 1, 0, 1)]    // 1x1
    public void ResidualEqualsSeparateAddition(int n, int c, int h, int w, int o, int k, int pad, int groups)
    {
        var g = Geometry(n, c, h, w, o, k, k, 1, pad, 1, groups);
        long outputs = Size(n, o, g.OutH, g.OutW);
        using var x = new Buffer(Size(n, c, h, w), 51);
        using var wt = new Buffer(Size(o, c / groups, k, k), 52);
        using var bias = new Buffer(o, 53);
        using var residual = new Buffer(outputs, 54);
        foreach (var isa in GemmTests.Isas())
        {
            using var fused = new Buffer(outputs, 0);
            using var separate = new Buffer(outputs, 0);
            Conv2dKernel.Forward(isa, g, x.Data, wt.Data, DType.F32, bias.Data, fused.Data, residual.Data);
            Conv2dKernel.Forward(isa, g, x.Data, wt.Data, DType.F32, bias.Data, separate.Data);
            for (long i = 0; i < outputs; i++) separate.Data[i] += residual.Data[i];
            Assert.True(fused.ToArray().AsSpan().SequenceEqual(separate.ToArray()), $"conv2d {isa} {g}: the fused residual differs from a separate addition");
        }
    }

    [Fact]
    public void BitIdenticalForOneTwoThreeThreads()
    {
        var g = Geometry(2, 40, 18, 21, 36, 3, 3, 1, 1, 1, 1);
        using var x = new Buffer(Size(g.N, g.C, g.H, g.W), 1);
        using var wt = new Buffer(Size(g.O, g.C, g.KH, g.KW), 2);
        using var go = new Buffer(Size(g.N, g.O, g.OutH, g.OutW), 3);
        using var bias = new Buffer(g.O, 4);
        float[]? first = null;
        int saved = Parallelism.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Parallelism.Threads = threads;
                using var y = new Buffer(go.Length, 0);
                using var gx = new Buffer(x.Length, 0);
                using var gw = new Buffer(wt.Length, 0);
                using var gb = new Buffer(g.O, 0);
                Conv2dKernel.Forward(g, x.Data, wt.Data, DType.F32, bias.Data, y.Data);
                Conv2dKernel.BackwardInput(g, go.Data, wt.Data, DType.F32, gx.Data);
                Conv2dKernel.BackwardWeight(g, x.Data, go.Data, gw.Data, gb.Data);
                float[] all = [.. y.ToArray(), .. gx.ToArray(), .. gw.ToArray(), .. gb.ToArray()];
                if (first is null) first = all;
                else Assert.True(first.AsSpan().SequenceEqual(all), $"conv2d passes with {threads} threads differ from 1 thread");
            }
        }
        finally { Parallelism.Threads = saved; }
    }

    [Fact]
    public void BadGeometryThrowsWithTheShapes()
    {
        var tooSmall = new Conv2dGeometry(1, 3, 2, 2, 4, 5, 5);
        var e = Assert.Throws<ArgumentException>(() => Conv2dKernel.Forward(tooSmall, null, null, DType.F32, null, null));
        Assert.Contains("2x2", e.Message);
        var badGroups = new Conv2dGeometry(1, 6, 8, 8, 4, 3, 3, Groups: 4);
        e = Assert.Throws<ArgumentException>(() => Conv2dKernel.Forward(badGroups, null, null, DType.F32, null, null));
        Assert.Contains("groups (4)", e.Message);
        var ok = new Conv2dGeometry(1, 2, 4, 4, 2, 3, 3, PadH: 1, PadW: 1);
        e = Assert.Throws<ArgumentException>(() => Conv2dKernel.Forward(ok, null, null, DType.I32, null, null));
        Assert.Contains("I32", e.Message);
    }

    private static Conv2dGeometry Geometry(int n, int c, int h, int w, int o, int kh, int kw, int stride, int pad, int dilation, int groups)
        => new(n, c, h, w, o, kh, kw, stride, stride, pad, pad, dilation, dilation, groups);

    private static long Size(int a, int b, int c, int d) => (long)a * b * c * d;

    private static double Unit(long terms) => 2.0 * (terms + 2) * Math.Pow(2, -24);

    private static void CheckForward(KernelIsa isa, Conv2dGeometry g, DType type, bool withBias)
    {
        using var x = new Buffer(Size(g.N, g.C, g.H, g.W), 11);
        using var w = new Buffer(Size(g.O, g.C / g.Groups, g.KH, g.KW), 12, type);
        using var bias = new Buffer(g.O, 13);
        using var got = new Buffer(Size(g.N, g.O, g.OutH, g.OutW), 14);
        using var want = new Buffer(got.Length, 15);
        using var magnitude = new Buffer(got.Length, 16);
        float* b = withBias ? bias.Data : null;
        Conv2dKernel.Forward(isa, g, x.Data, w.Stored, type, b, got.Data);
        Conv2dKernel.ForwardReference(g, x.Data, w.Stored, type, b, want.Data);
        using var ax = x.Abs();
        using var aw = w.Abs();
        using var ab = bias.Abs();
        Conv2dKernel.ForwardReference(g, ax.Data, aw.Data, DType.F32, withBias ? ab.Data : null, magnitude.Data);
        AssertClose(got, want, magnitude, Unit((long)g.C / g.Groups * g.KH * g.KW), $"forward {isa} {type} bias={withBias} {g}");
    }

    private static void CheckBackwardInput(KernelIsa isa, Conv2dGeometry g, DType type)
    {
        using var go = new Buffer(Size(g.N, g.O, g.OutH, g.OutW), 21);
        using var w = new Buffer(Size(g.O, g.C / g.Groups, g.KH, g.KW), 22, type);
        using var got = new Buffer(Size(g.N, g.C, g.H, g.W), 23);
        using var want = new Buffer(got.Length, 24);
        using var magnitude = new Buffer(got.Length, 25);
        Conv2dKernel.BackwardInput(isa, g, go.Data, w.Stored, type, got.Data);
        Conv2dKernel.BackwardInputReference(g, go.Data, w.Stored, type, want.Data);
        using var ago = go.Abs();
        using var aw = w.Abs();
        Conv2dKernel.BackwardInputReference(g, ago.Data, aw.Data, DType.F32, magnitude.Data);
        AssertClose(got, want, magnitude, Unit((long)g.O / g.Groups * g.KH * g.KW), $"backward input {isa} {type} {g}");
    }

    private static void CheckBackwardWeight(KernelIsa isa, Conv2dGeometry g)
    {
        using var x = new Buffer(Size(g.N, g.C, g.H, g.W), 31);
        using var go = new Buffer(Size(g.N, g.O, g.OutH, g.OutW), 32);
        using var got = new Buffer(Size(g.O, g.C / g.Groups, g.KH, g.KW), 33);
        using var want = new Buffer(got.Length, 34);
        using var magnitude = new Buffer(got.Length, 35);
        using var gotBias = new Buffer(g.O, 36);
        using var wantBias = new Buffer(g.O, 37);
        using var magnitudeBias = new Buffer(g.O, 38);
        Conv2dKernel.BackwardWeight(isa, g, x.Data, go.Data, got.Data, gotBias.Data);
        Conv2dKernel.BackwardWeightReference(g, x.Data, go.Data, want.Data, wantBias.Data);
        using var ax = x.Abs();
        using var ago = go.Abs();
        Conv2dKernel.BackwardWeightReference(g, ax.Data, ago.Data, magnitude.Data, magnitudeBias.Data);
        long terms = (long)g.N * g.OutH * g.OutW;
        AssertClose(got, want, magnitude, Unit(terms), $"backward weight {isa} {g}");
        AssertClose(gotBias, wantBias, magnitudeBias, Unit(terms), $"backward bias {isa} {g}");
    }

    private static void AssertClose(Buffer got, Buffer want, Buffer magnitude, double unit, string what)
    {
        for (long i = 0; i < got.Length; i++)
        {
            double diff = Math.Abs((double)got.Data[i] - want.Data[i]);
            if (!(diff <= unit * magnitude.Data[i] + 1e-30))
                Assert.Fail($"{what}: element {i} is {got.Data[i]:R}, reference {want.Data[i]:R}, |diff| {diff:G3} > {unit * magnitude.Data[i]:G3}");
        }
    }

    /// <summary>Seeded values in [-1, 1) as float32, plus a copy stored as F16/BF16 (values exactly representable in both).</summary>
    private sealed class Buffer : IDisposable
    {
        public readonly long Length;
        public readonly float* Data;
        public readonly void* Stored;
        private readonly DType _type;

        public Buffer(long length, int seed, DType type = DType.F32)
        {
            Length = length; _type = type;
            Data = (float*)NativeMemory.Alloc((nuint)Math.Max(1, length * 4));
            var rng = new Random(seed);
            for (long i = 0; i < length; i++)
            {
                float v = (float)(rng.NextDouble() * 2 - 1);
                Data[i] = type switch
                {
                    DType.F16 => (float)(Half)v,
                    DType.BF16 => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(v) & unchecked((int)0xFFFF0000)),
                    _ => v,
                };
            }
            if (type == DType.F32) { Stored = Data; return; }
            var half = (ushort*)NativeMemory.Alloc((nuint)Math.Max(1, length * 2));
            for (long i = 0; i < length; i++)
                half[i] = type == DType.F16 ? BitConverter.HalfToUInt16Bits((Half)Data[i]) : (ushort)(BitConverter.SingleToInt32Bits(Data[i]) >> 16);
            Stored = half;
        }

        public Buffer Abs()
        {
            var copy = new Buffer(Length, 0);
            for (long i = 0; i < Length; i++) copy.Data[i] = MathF.Abs(Data[i]);
            return copy;
        }

        public float[] ToArray() => new Span<float>(Data, (int)Length).ToArray();

        public void Dispose()
        {
            if (_type != DType.F32) NativeMemory.Free(Stored);
            NativeMemory.Free(Data);
        }
    }
}
