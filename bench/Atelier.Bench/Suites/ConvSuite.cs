using System.Runtime.InteropServices;
using Atelier.Tensors;
using Atelier.Tensors.Kernels;

namespace Atelier.Bench.Suites;

/// <summary>
/// conv2d 3x3, padding 1, at the SD 1.x UNet's shapes (64² x 320, 32² x 640, 16² x 1280 latents), batch 1 and 2:
/// forward, backward input and backward weight, next to OpenBLAS running only the equivalent im2col GEMM
/// (M = O, K = 9C, N = HW per image; OpenBLAS gets the column matrix for free, so this bounds what packing costs).
/// </summary>
internal sealed unsafe class ConvSuite : IBenchSuite
{
    public string Name => "conv";
    public string Description => "conv2d 3x3 pad 1 at UNet shapes (forward, backward), OpenBLAS im2col GEMM alongside";

    private static readonly (int Size, int Channels)[] s_shapes = [(64, 320), (32, 640), (16, 1280)];

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        Parallelism.Threads = options.Threads;
        bool blas = OpenBlas.TryLoad(options.Threads);
        if (!blas) yield return new BenchRow("(note)", "", 0, 0, $"OpenBLAS skipped: {OpenBlas.Unavailable}");
        // ATELIER_BENCH_CONV=NxS (e.g. 1x64: batch 1, 64x64 latent) runs that one shape, for quick experiments.
        string? only = Environment.GetEnvironmentVariable("ATELIER_BENCH_CONV");
        foreach (int batch in new[] { 1, 2 })
            foreach (var (size, channels) in s_shapes)
            {
                if (only is not null && only != $"{batch}x{size}") continue;
                foreach (var row in Shape(batch, size, channels, blas, options.Quick)) yield return row;
            }
    }

    private static List<BenchRow> Shape(int batch, int size, int channels, bool blas, bool quick)
    {
        var g = new Conv2dGeometry(batch, channels, size, size, channels, 3, 3, PadH: 1, PadW: 1);
        string shape = $"N={batch} {size}x{size}x{channels}->{channels}";
        long pixels = (long)size * size, k = 9L * channels;
        double flops = 2.0 * batch * channels * k * pixels;
        var rows = new List<BenchRow>();
        float* x = GemmSuite.Random(batch * channels * pixels, 1), w = GemmSuite.Random(channels * k, 2);
        float* bias = GemmSuite.Random(channels, 3), y = GemmSuite.Alloc(batch * channels * pixels);
        float* gx = GemmSuite.Alloc(batch * channels * pixels), gw = GemmSuite.Alloc(channels * k), gb = GemmSuite.Alloc(channels);
        ushort* wHalf = (ushort*)NativeMemory.AlignedAlloc((nuint)(channels * k * 2), 64);
        for (long i = 0; i < channels * k; i++) wHalf[i] = BitConverter.HalfToUInt16Bits((Half)w[i]);
        float* col = blas ? GemmSuite.Alloc(k * pixels) : null;
        try
        {
            var names = new List<(string Kernel, string? Note)>();
            var runs = new List<Action>();
            void Add(string kernel, string? note, Action run) { names.Add((kernel, note)); runs.Add(run); }
            Add("conv2d forward", null, () => Conv2dKernel.Forward(g, x, w, DType.F32, bias, y));
            Add("conv2d forward W=F16", null, () => Conv2dKernel.Forward(g, x, wHalf, DType.F16, bias, y));
            Add("conv2d backward input", null, () => Conv2dKernel.BackwardInput(g, y, w, DType.F32, gx));
            Add("conv2d backward weight", null, () => Conv2dKernel.BackwardWeight(g, x, y, gw, gb));
            if (blas)
                Add("openblas im2col GEMM only", "column matrix not built", () =>
                {
                    for (int n = 0; n < batch; n++)
                        OpenBlas.Sgemm(channels, (int)pixels, (int)k, w, (int)k, col, (int)pixels, false, y + n * channels * pixels, (int)pixels);
                });
            double[] seconds = Timing.Best(quick, [.. runs]);
            for (int i = 0; i < runs.Count; i++) rows.Add(new BenchRow(names[i].Kernel, shape, flops, seconds[i], names[i].Note));
        }
        finally
        {
            NativeMemory.AlignedFree(x); NativeMemory.AlignedFree(w); NativeMemory.AlignedFree(bias); NativeMemory.AlignedFree(y);
            NativeMemory.AlignedFree(gx); NativeMemory.AlignedFree(gw); NativeMemory.AlignedFree(gb); NativeMemory.AlignedFree(wHalf);
            if (col is not null) NativeMemory.AlignedFree(col);
        }
        return rows;
    }
}
