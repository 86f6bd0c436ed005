using System.Runtime.InteropServices;
using Atelier.Tensors;
using Atelier.Tensors.Kernels;

namespace Atelier.Bench.Suites;

/// <summary>
/// SGEMM at square sizes and at the UNet's im2col shapes (SD 1.x 3x3 convs at 64², 32², 16² latents), float32
/// and with a float16 B (weights kept half precision), next to OpenBLAS's cblas_sgemm on the same buffers.
/// </summary>
internal sealed unsafe class GemmSuite : IBenchSuite
{
    public string Name => "gemm";
    public string Description => "sgemm: squares, UNet im2col shapes, F16 B; OpenBLAS alongside";

    private static readonly (int M, int K, int N)[] s_shapes =
    [
        (256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048),
        (4096, 2880, 320), (1024, 5760, 640), (256, 11520, 1280),
    ];

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        Parallelism.Threads = options.Threads;
        bool blas = OpenBlas.TryLoad(options.Threads);
        string blasNote = blas ? $"OPENBLAS_CORETYPE → core {OpenBlas.CoreName}" : $"OpenBLAS skipped: {OpenBlas.Unavailable}";
        yield return new BenchRow("(note)", "", 0, 0, blasNote);
        // ATELIER_BENCH_SHAPE=MxKxN (e.g. 256x11520x1280) runs that one shape, for quick experiments.
        string? only = Environment.GetEnvironmentVariable("ATELIER_BENCH_SHAPE");
        var shapes = only is null ? s_shapes : [ParseShape(only)];
        foreach (var (m, k, n) in shapes)
        {
            if (options.Quick && m * (long)k * n > 4L << 30) continue;
            foreach (var row in Shape(m, k, n, blas, options.Quick)) yield return row;
        }
    }

    private static List<BenchRow> Shape(int m, int k, int n, bool blas, bool quick)
    {
        var rows = new List<BenchRow>();
        string shape = $"M={m} K={k} N={n}";
        double flops = 2.0 * m * n * k;
        float* a = Random(m * (long)k, 1), b = Random(k * (long)n, 2), c = Alloc(m * (long)n);
        ushort* bHalf = (ushort*)NativeMemory.AlignedAlloc((nuint)(k * (long)n * 2), 64);
        for (long i = 0; i < k * (long)n; i++) bHalf[i] = BitConverter.HalfToUInt16Bits((Half)b[i]);
        try
        {
            var av = MatrixView.RowMajor(a, m, k, k);
            var bv = MatrixView.RowMajor(b, k, n, n);
            var bh = new MatrixView(bHalf, DType.F16, k, n, n, 1);
            var bt = new MatrixView(b, DType.F32, k, n, 1, k); // B stored [N, K] (x·Wᵀ of a Linear layer)
            var names = new List<(string Kernel, string? Note)>();
            var runs = new List<Action>();
            void Add(string kernel, string? note, Action run) { names.Add((kernel, note)); runs.Add(run); }
            Add("sgemm", null, () => Gemm.Multiply(av, bv, c, n));
            if (blas) Add("openblas sgemm", null, () => OpenBlas.Sgemm(m, n, k, a, k, b, n, false, c, n));
            Add("sgemm B=F16", null, () => Gemm.Multiply(av, bh, c, n));
            Add("sgemm Bt", "B stored [N,K]", () => Gemm.Multiply(av, bt, c, n));
            if (blas) Add("openblas sgemm Bt", "B stored [N,K]", () => OpenBlas.Sgemm(m, n, k, a, k, b, k, true, c, n));
            double[] seconds = Timing.Best(quick, [.. runs]);
            for (int i = 0; i < runs.Count; i++) rows.Add(new BenchRow(names[i].Kernel, shape, flops, seconds[i], names[i].Note));
        }
        finally
        {
            NativeMemory.AlignedFree(a); NativeMemory.AlignedFree(b); NativeMemory.AlignedFree(c); NativeMemory.AlignedFree(bHalf);
        }
        return rows;
    }

    private static (int M, int K, int N) ParseShape(string text)
    {
        string[] parts = text.Split('x');
        if (parts.Length != 3 || !int.TryParse(parts[0], out int m) || !int.TryParse(parts[1], out int k) || !int.TryParse(parts[2], out int n) || m <= 0 || k <= 0 || n <= 0)
            throw new ArgumentException($"ATELIER_BENCH_SHAPE='{text}' is not MxKxN with positive integers (e.g. 256x11520x1280).");
        return (m, k, n);
    }

    internal static float* Alloc(long count)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(float)), 64);
        new Span<float>(p, checked((int)count)).Clear();
        return p;
    }

    internal static float* Random(long count, int seed)
    {
        float* p = Alloc(count);
        var rng = new Random(seed);
        for (long i = 0; i < count; i++) p[i] = (float)(rng.NextDouble() - 0.5);
        return p;
    }
}
