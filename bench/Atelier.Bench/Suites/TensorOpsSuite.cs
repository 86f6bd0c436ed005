using System.Diagnostics;
using Atelier.Tensors;
using Atelier.Tensors.Kernels;

namespace Atelier.Bench;

/// <summary>
/// Memory-bound tensor operations at Stable Diffusion 1.x sizes (64×64 latents, 320 channels, batch 2 for
/// classifier-free guidance): each op through the public API next to its scalar reference kernel on one thread,
/// measured in the same run. GB/s counts bytes read + written once.
/// </summary>
internal sealed unsafe class TensorOpsSuite : IBenchSuite
{
    public string Name => "tensor-ops";

    public string Description => "elementwise, reductions, norms and copies at SD sizes vs their scalar references";

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        Parallelism.Threads = options.Threads;
        int reps = options.Quick ? 3 : 10;
        var rows = new List<BenchRow>();
        Shape act = [2, 320, 64, 64];                       // a UNet activation at 64×64 latents
        long n = act.ElementCount;
        var x = Random(act, 1);
        var y = Random(act, 2);
        var bias = Random([320, 1, 1], 3);
        var tokens = Random([2, 4096, 320], 4);              // the same activation as a token sequence
        var ln = Random([320], 5);
        var rowsSoftmax = Random([2 * 8 * 64, 4096], 6);     // attention-sized rows
        var half = x.Cast(DType.F16);
        var small = Random([2, 320, 32, 32], 7);

        using (var scope = TensorScope.Begin())
        {
            var outBuffer = Tensor.Empty(act);
            Add(rows, "add", act, 12 * n, reps, () => x.Add(y),
                () => BinaryKernel.ApplyScalar(new AddOperator(), x.F32, y.F32, outBuffer.F32, n));
            Add(rows, "add bias [320,1,1]", act, 8 * n, reps, () => x.Add(bias), null);
            Add(rows, "mul scalar", act, 8 * n, reps, () => x.Mul(0.18215f),
                () => UnaryKernel.ApplyScalar(new BoundRight<MultiplyOperator>(default, 0.18215f), x.F32, outBuffer.F32, n));
            Add(rows, "silu", act, 8 * n, reps, () => x.Silu(),
                () => UnaryKernel.ApplyScalar(new SiluOperator(1f), x.F32, outBuffer.F32, n));
            Add(rows, "gelu (erf)", act, 8 * n, reps, () => x.Gelu(),
                () => UnaryKernel.ApplyScalar(new GeluOperator(), x.F32, outBuffer.F32, n));
            Add(rows, "exp", act, 8 * n, reps, () => x.Exp(),
                () => UnaryKernel.ApplyScalar(new ExpOperator(), x.F32, outBuffer.F32, n));
            Add(rows, "sum (all)", act, 4 * n, reps, () => x.Sum(), () => SumKernel.SumScalar(x.F32, n));
            Add(rows, "mean over channels", act, 4 * n, reps, () => x.Mean(1), null);
            var sm = Tensor.Empty(rowsSoftmax.Shape);
            Add(rows, "softmax rows of 4096", rowsSoftmax.Shape, 8 * rowsSoftmax.ElementCount, reps, () => rowsSoftmax.Softmax(-1),
                () => SoftmaxKernel.SoftmaxReference(rowsSoftmax.F32, sm.F32, 1024, 4096));
            var ones = Tensor.Ones([320]);
            var zeros = Tensor.Zeros([320]);
            var stats = Tensor.Empty([2 * 2 * 4096]);
            Add(rows, "layer_norm [.., 320]", tokens.Shape, 8 * n, reps, () => tokens.LayerNorm([320], ln, ln),
                () => NormalizationKernel.LayerNormReference(tokens.F32, ones.F32, zeros.F32, outBuffer.F32, stats.F32, stats.F32 + 8192, 8192, 320, 1e-5f));
            var gstats = Tensor.Empty([128]);
            var gamma = Tensor.Ones([320]);
            Add(rows, "group_norm 32 groups", act, 8 * n, reps, () => x.GroupNorm(32, gamma, zeros),
                () => NormalizationKernel.GroupNormReference(x.F32, gamma.F32, zeros.F32, outBuffer.F32, gstats.F32, gstats.F32 + 64, 2, 320, 4096, 32, 1e-5f));
            Add(rows, "NCHW -> NHWC copy", act, 8 * n, reps, () => x.Permute(0, 2, 3, 1).Contiguous(),
                () => StridedCopy.CopyReference([2, 64, 64, 320], (byte*)x.F32, [320 * 4096, 64, 1, 4096], DType.F32, (byte*)outBuffer.F32, [4096 * 320, 64 * 320, 320, 1], DType.F32));
            Add(rows, "[B,N,H,D] -> [B,H,N,D] copy", act, 8 * n, reps, () => tokens.View(2, 4096, 8, 40).Transpose(1, 2).Contiguous(), null);
            Add(rows, "f16 -> f32 widen", act, 6 * n, reps, () => half.Cast(DType.F32),
                () => CastKernel.HalfToSingleScalar((ushort*)half.Data, outBuffer.F32, n));
            var up = Tensor.Empty([2, 320, 64, 64]);
            Add(rows, "upsample nearest x2", small.Shape, 20 * small.ElementCount, reps, () => small.UpsampleNearest(2),
                () => UpsampleNearestKernel.Reference(small.F32, up.F32, 640, 32, 32, 2));
            GC.KeepAlive(outBuffer);
        }
        return rows;
    }

    private static Tensor Random(Shape shape, int seed)
    {
        var rng = new Random(seed);
        var data = new float[shape.ElementCount];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 4 - 2);
        return Tensor.FromArray(data, shape);
    }

    // One row for the op, one for its scalar reference (single-threaded) when given, with the ratio in the note.
    private static void Add(List<BenchRow> rows, string name, Shape shape, long bytes, int reps, Func<Tensor> op, Action? reference)
    {
        double t = Best(reps, () =>
        {
            using var scope = TensorScope.Begin();
            op();
        });
        string note = $"{bytes / t / 1e9:F1} GB/s";
        if (reference is not null)
        {
            int threads = Parallelism.Threads;
            Parallelism.Threads = 1;
            double tr = Best(Math.Max(1, reps / 3), reference);
            Parallelism.Threads = threads;
            rows.Add(new BenchRow(name, shape.ToString(), 0, t, $"{note}, {tr / t:F1}x the scalar reference"));
            rows.Add(new BenchRow($"  scalar reference", shape.ToString(), 0, tr, $"{bytes / tr / 1e9:F1} GB/s, 1 thread"));
        }
        else
        {
            rows.Add(new BenchRow(name, shape.ToString(), 0, t, note));
        }
    }

    private static double Best(int reps, Action action)
    {
        action();   // warm-up (JIT, pool)
        double best = double.MaxValue;
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return best;
    }
}
