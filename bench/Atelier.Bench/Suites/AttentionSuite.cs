using System.Diagnostics;
using System.Runtime.InteropServices;
using Atelier.Tensors.Kernels;

namespace Atelier.Bench.Suites;

/// <summary>
/// Fused attention at the shapes of Stable Diffusion 1.5 (8 heads; D = 40/80/160 at 320/640/1280 channels) and of
/// CLIP's causal text encoder, batch 2 for classifier-free guidance unless noted. Operands are laid out [B, N, H·D]
/// as the projections produce them. FLOPs are the two products, 4·B·H·Nq·Nk·D (the softmax is not counted);
/// the backward counts its five products (S recomputed, dP, dV, dK, dQ), 10·B·H·Nq·Nk·D. With a causal mask only
/// the visible (query, key) pairs count, not the full Nq·Nk.
/// </summary>
internal sealed unsafe class AttentionSuite : IBenchSuite
{
    public string Name => "attention";

    public string Description => "fused attention (online softmax) forward and backward, SD 1.5 and CLIP shapes";

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        Parallelism.Threads = options.Threads;
        AttentionIsa best = AttentionIsaSupport.Best;
        // (label, batch, heads, Nq, Nk, D, causal)
        yield return Forward(options, best, "self 64x64 latent, CFG", 2, 8, 4096, 4096, 40, false);
        yield return Forward(options, best, "self 64x64 latent", 1, 8, 4096, 4096, 40, false);
        yield return Forward(options, best, "cross to 77 tokens, CFG", 2, 8, 4096, 77, 40, false);
        yield return Forward(options, best, "self 32x32 latent, CFG", 2, 8, 1024, 1024, 80, false);
        yield return Forward(options, best, "self 16x16 latent, CFG", 2, 8, 256, 256, 160, false);
        yield return Forward(options, best, "CLIP causal, CFG", 2, 12, 77, 77, 64, true);
        if (best != AttentionIsa.Vector256 && AttentionIsaSupport.IsSupported(AttentionIsa.Vector256))
            yield return Forward(options, AttentionIsa.Vector256, "self 64x64 latent", 1, 8, 4096, 4096, 40, false);
        yield return Backward(options, best, "self 32x32 latent", 2, 8, 1024, 1024, 40, false);
        yield return Backward(options, best, "self, small model", 8, 4, 1024, 1024, 32, false);
        yield return Backward(options, best, "CLIP causal", 2, 12, 77, 77, 64, true);
        if (!options.Quick)
        {
            // The definitions, for scale: the naive references on the smaller shapes.
            yield return Forward(options, null, "self 16x16 latent, CFG", 2, 8, 256, 256, 160, false);
            yield return Forward(options, null, "CLIP causal, CFG", 2, 12, 77, 77, 64, true);
            yield return Backward(options, null, "CLIP causal", 2, 12, 77, 77, 64, true);
        }
    }

    private static BenchRow Forward(BenchOptions options, AttentionIsa? isa, string label, int batch, int heads, int nq, int nk, int dim, bool causal)
    {
        using var p = new Problem(batch, heads, nq, nk, dim);
        float scale = 1f / MathF.Sqrt(dim);
        var (seconds, cpuSeconds) = Time(options, () =>
        {
            if (isa is { } path)
                AttentionKernel.Forward(path, batch, heads, nq, nk, dim, p.Q, p.QL, p.K, p.KL, p.V, p.KL, p.O, p.QL, scale, causal, p.Lse);
            else
                AttentionKernel.ForwardReference(batch, heads, nq, nk, dim, p.Q, p.QL, p.K, p.KL, p.V, p.KL, p.O, p.QL, scale, causal, p.Lse);
        });
        double flops = 4.0 * batch * heads * VisiblePairs(nq, nk, causal) * dim;
        string workspace = isa is null ? "" : $"; workspace {Kib(AttentionKernel.ForwardWorkspaceBytes(batch, heads, nq, nk, dim, p.KL, p.KL))}";
        return new BenchRow(KernelName("attention fwd", isa), Shape(batch, heads, nq, nk, dim, causal), flops, seconds,
            $"{label}{workspace}; {PerCpu(flops, cpuSeconds)}");
    }

    private static BenchRow Backward(BenchOptions options, AttentionIsa? isa, string label, int batch, int heads, int nq, int nk, int dim, bool causal)
    {
        using var p = new Problem(batch, heads, nq, nk, dim);
        float scale = 1f / MathF.Sqrt(dim);
        AttentionKernel.Forward(batch, heads, nq, nk, dim, p.Q, p.QL, p.K, p.KL, p.V, p.KL, p.O, p.QL, scale, causal, p.Lse);
        var (seconds, cpuSeconds) = Time(options, () =>
        {
            if (isa is { } path)
                AttentionKernel.Backward(path, batch, heads, nq, nk, dim, p.Q, p.QL, p.K, p.KL, p.V, p.KL, p.O, p.QL, p.GradO, p.QL, p.Lse,
                    p.GradQ, p.QL, p.GradK, p.KL, p.GradV, p.KL, scale, causal);
            else
                AttentionKernel.BackwardReference(batch, heads, nq, nk, dim, p.Q, p.QL, p.K, p.KL, p.V, p.KL, p.O, p.QL, p.GradO, p.QL, p.Lse,
                    p.GradQ, p.QL, p.GradK, p.KL, p.GradV, p.KL, scale, causal);
        });
        double flops = 10.0 * batch * heads * VisiblePairs(nq, nk, causal) * dim;
        string workspace = isa is null ? "" : $"; workspace {Kib(AttentionKernel.BackwardWorkspaceBytes(batch, heads, nq, nk, dim))}";
        return new BenchRow(KernelName("attention bwd", isa), Shape(batch, heads, nq, nk, dim, causal), flops, seconds,
            $"{label}{workspace}; {PerCpu(flops, cpuSeconds)}");
    }

    // Query i sees keys j <= i + (Nk - Nq).
    private static double VisiblePairs(int nq, int nk, bool causal)
    {
        if (!causal) return (double)nq * nk;
        double pairs = 0;
        for (int i = 0; i < nq; i++) pairs += Math.Clamp(i + nk - nq + 1, 0, nk);
        return pairs;
    }

    private static string KernelName(string what, AttentionIsa? isa) => isa is { } path ? $"{what} {path}" : $"{what} reference";

    private static string Shape(int batch, int heads, int nq, int nk, int dim, bool causal) =>
        $"B={batch} H={heads} Nq={nq} Nk={nk} D={dim}{(causal ? " causal" : "")}";

    private static string Kib(long bytes) => $"{bytes / 1024.0:F0} KiB";

    // On a shared machine the wall time depends on the neighbours; FLOPs per second of this process's CPU time
    // (all its threads) is what one busy core of ours delivered, a steadier figure to compare with the 1-thread peak.
    private static string PerCpu(double flops, double cpuSeconds) => $"{flops / cpuSeconds / 1e9:F1} GFLOP/s per busy core";

    // Best of several runs after one warm-up (fewer when --quick or when runs are long): wall and CPU seconds.
    private static (double Wall, double Cpu) Time(BenchOptions options, Action run)
    {
        run();
        double bestWall = double.MaxValue, bestCpu = double.MaxValue;
        int reps = options.Quick ? 2 : 7;
        using var process = Process.GetCurrentProcess();
        var total = Stopwatch.StartNew();
        for (int r = 0; r < reps && (r < 2 || total.Elapsed.TotalSeconds < 10); r++)
        {
            process.Refresh();
            TimeSpan cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            run();
            bestWall = Math.Min(bestWall, sw.Elapsed.TotalSeconds);
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu0).TotalSeconds);
        }
        return (bestWall, bestCpu);
    }

    /// <summary>Seeded operands in [B, N, H·D] layout (native memory, freed on dispose).</summary>
    private sealed class Problem : IDisposable
    {
        private readonly List<nint> _buffers = [];

        public Problem(int batch, int heads, int nq, int nk, int dim)
        {
            QL = AttentionLayout.Interleaved(heads, nq, dim);
            KL = AttentionLayout.Interleaved(heads, nk, dim);
            long qCount = (long)batch * nq * heads * dim, kCount = (long)batch * nk * heads * dim;
            var rng = new Random(1);
            Q = Buffer(qCount, rng); K = Buffer(kCount, rng); V = Buffer(kCount, rng); O = Buffer(qCount, rng);
            GradO = Buffer(qCount, rng); GradQ = Buffer(qCount, rng); GradK = Buffer(kCount, rng); GradV = Buffer(kCount, rng);
            Lse = Buffer((long)batch * heads * nq, rng);
        }

        public AttentionLayout QL { get; }
        public AttentionLayout KL { get; }
        public float* Q { get; }
        public float* K { get; }
        public float* V { get; }
        public float* O { get; }
        public float* GradO { get; }
        public float* GradQ { get; }
        public float* GradK { get; }
        public float* GradV { get; }
        public float* Lse { get; }

        public void Dispose()
        {
            foreach (nint b in _buffers) NativeMemory.AlignedFree((void*)b);
        }

        private float* Buffer(long count, Random rng)
        {
            var p = (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(count, 1) * sizeof(float)), 64);
            _buffers.Add((nint)p);
            for (long i = 0; i < count; i++) p[i] = rng.NextSingle() * 2f - 1f;
            return p;
        }
    }
}
