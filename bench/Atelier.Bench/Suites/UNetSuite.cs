using System.Diagnostics;
using Atelier.Formats.Checkpoints;
using Atelier.Models.UNet;
using Atelier.Tensors;
using Atelier.Tensors.Kernels;

namespace Atelier.Bench.Suites;

/// <summary>
/// One Stable Diffusion UNet forward with seeded random weights of the real shapes (SD 1.5: 859.5 M weights): latent
/// 64x64 (512 px) and 32x32 (256 px), batch 2 (classifier-free guidance), float32 weights and float16 weights,
/// 77 text tokens. Reports the best wall time, the FLOPs of the forward (<see cref="UNetFlops"/>), % of the FMA
/// peak measured in the same run, the peak of pooled activation memory (weights are not pooled; listed apart) and
/// the process's peak resident memory so far (everything, weights included).
/// Reference points on this machine (2 threads, 64x64 batch 2, fp32): PyTorch 1.13 15.6 s (32x32: 4.4 s),
/// stable-diffusion.cpp ~24 s per 512x512 step. The CPU/wall ratio of the best run is shown beside it: well below the
/// thread count means the run was starved by other processes (the time is pessimistic) or ran serial code.
/// </summary>
internal sealed class UNetSuite : IBenchSuite
{
    public string Name => "unet";

    public string Description => "SD UNet forward, random weights (--arch sd15|sd2): 64x64 and 32x32 latents, batch 2, F32/F16 weights";

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        Parallelism.Threads = options.Threads;
        var (config, label) = options.Arch switch
        {
            "sd15" => (UNet2DConditionPresets.Sd15, "SD 1.5"),
            "sd2" => (UNet2DConditionPresets.Sd2, "SD 2.1"),
            _ => throw new ArgumentException($"unet suite: unknown --arch '{options.Arch}'; expected sd15 or sd2."),
        };
        const int batch = 2, tokens = 77;
        int[] sizes = options.Quick ? [32] : [64, 32];
        foreach (var dtype in new[] { DType.F32, DType.F16 })
        {
            if (!sizes.Any(size => options.Selects(CaseLabel(dtype, size)))) continue;
            var created = Stopwatch.StartNew();
            var model = UNet2DConditionModel.CreateRandom(config, seed: 1234, dtype);
            long weightBytes = model.Parameters().Sum(p => p.Value.ElementCount * p.Value.DType.Size());
            yield return new BenchRow($"{label} random weights", $"{model.ParameterCount / 1e6:F1} M x {dtype}", 0, created.Elapsed.TotalSeconds, $"{weightBytes / 1e9:F2} GB of weights");
            foreach (int size in sizes.Where(size => options.Selects(CaseLabel(dtype, size))))
            {
                var generator = new TorchGenerator(5678);
                Tensor sample = Tensor.FromArray(generator.Randn(batch, 4, size, size), [batch, 4, size, size]);
                Tensor context = Tensor.FromArray(generator.Randn(batch, tokens, model.CrossAttentionDim), [batch, tokens, model.CrossAttentionDim]);
                var flops = UNetFlops.Count(model, batch, size, size, tokens);
                void Forward()
                {
                    using var scope = TensorScope.Begin();
                    model.Forward(sample, 981, context);
                }
                TensorMemory.ResetPeak();
                long before = TensorMemory.CurrentBytes;
                var (first, firstCpu) = Seconds(Forward);                     // includes warm-up: JIT, pool, page faults
                long peak = TensorMemory.PeakBytes - before;
                var (best, bestCpu) = (first, firstCpu);
                for (int run = 0; run < (options.Quick ? 1 : 2); run++)
                {
                    var (seconds, cpu) = Seconds(Forward);
                    if (seconds < best) (best, bestCpu) = (seconds, cpu);
                }
                string shape = $"B={batch} {size}x{size}x4 ctx {tokens}x{model.CrossAttentionDim}";
                yield return new BenchRow($"unet forward W={dtype}", shape, flops.Total, best,
                    $"conv {flops.Conv / 1e9:F0} + linear {flops.Linear / 1e9:F0} + attention {flops.Attention / 1e9:F0} GFLOP; peak activations {peak / 1e9:F2} GB (process peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / 1e9:F2} GB); first run {first:F2} s; best run CPU/wall {bestCpu / best:F2} of {options.Threads} threads");
                if (options.Profile)
                    foreach (var row in Profile(Forward, shape, options.ProfileByShape))
                        yield return row;
            }
            model = null;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            TensorMemory.Trim();
        }
    }

    /// <summary>
    /// One more forward with <see cref="OpProfiler"/> on: a row per op kind (wall time, calls, share of the forward),
    /// then the time spent outside any op (module code, scopes). Timing every op adds a little overhead.
    /// </summary>
    private static IEnumerable<BenchRow> Profile(Action forward, string shape, bool byShape)
    {
        OpProfiler.Start(byShape);
        var (wall, cpu) = Seconds(forward);
        var entries = OpProfiler.Stop();
        yield return new BenchRow("  profiled forward", shape, 0, wall, $"CPU/wall {cpu / wall:F2}");
        foreach (var e in entries)
            yield return new BenchRow($"    {e.Op}", $"{e.Calls} calls", e.Flops, e.Seconds, $"{100 * e.Seconds / wall:F1}% of the forward, {1e3 * e.Seconds / e.Calls:F2} ms per call");
        double outside = wall - entries.Sum(e => e.Seconds);
        yield return new BenchRow("    (outside ops)", "", 0, outside, $"{100 * outside / wall:F1}% of the forward");
    }

    /// <summary>What <c>--only</c> matches: e.g. "F32 64x64".</summary>
    private static string CaseLabel(DType dtype, int size) => $"{dtype} {size}x{size}";

    /// <summary>Wall time and process CPU time (all threads) of one run.</summary>
    private static (double Wall, double Cpu) Seconds(Action run)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        run();
        double wall = sw.Elapsed.TotalSeconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu).TotalSeconds);
    }
}
