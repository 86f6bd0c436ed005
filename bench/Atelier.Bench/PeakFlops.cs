using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Atelier.Bench;

/// <summary>
/// Measures the machine's float32 FMA peak: every thread runs a loop of Vector512 fused multiply-adds on
/// 16 independent register-resident accumulators (enough to cover 4-cycle latency on 2 FMA ports, with
/// slack), no memory traffic. Best of several rounds, because the machine is shared.
/// </summary>
internal static class PeakFlops
{
    private const int Accumulators = 16;

    public static double Measure(int threads)
    {
        if (!Vector512.IsHardwareAccelerated)
            return MeasureWith(threads, Vector256.IsHardwareAccelerated ? 8 : 1);
        return MeasureWith(threads, 16);
    }

    private static double MeasureWith(int threads, int lanes)
    {
        const long iterations = 20_000_000;
        double best = 0;
        for (int round = 0; round < 5; round++)
        {
            using var start = new Barrier(threads + 1);
            var workers = new Thread[threads];
            double[] seconds = new double[threads];
            for (int t = 0; t < threads; t++)
            {
                int slot = t;
                workers[t] = new Thread(() =>
                {
                    Loop(1000, lanes); // warm-up (and JIT)
                    start.SignalAndWait();
                    var sw = Stopwatch.StartNew();
                    Loop(iterations, lanes);
                    seconds[slot] = sw.Elapsed.TotalSeconds;
                });
                workers[t].Start();
            }
            start.SignalAndWait();
            foreach (var w in workers) w.Join();
            // Every thread did the same work; the slowest one bounds the aggregate rate.
            double flops = 2.0 * lanes * Accumulators * iterations * threads;
            best = Math.Max(best, flops / seconds.Max());
        }
        return best;
    }

    private static float Loop(long iterations, int lanes) => lanes switch
    {
        16 => Fma512(iterations),
        8 => Fma256(iterations),
        _ => FmaScalar(iterations),
    };

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma512(long iterations)
    {
        var m = Vector512.Create(0.9999999f);
        var d = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector512<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, d); a1 = Vector512.FusedMultiplyAdd(a1, m, d);
            a2 = Vector512.FusedMultiplyAdd(a2, m, d); a3 = Vector512.FusedMultiplyAdd(a3, m, d);
            a4 = Vector512.FusedMultiplyAdd(a4, m, d); a5 = Vector512.FusedMultiplyAdd(a5, m, d);
            a6 = Vector512.FusedMultiplyAdd(a6, m, d); a7 = Vector512.FusedMultiplyAdd(a7, m, d);
            a8 = Vector512.FusedMultiplyAdd(a8, m, d); a9 = Vector512.FusedMultiplyAdd(a9, m, d);
            a10 = Vector512.FusedMultiplyAdd(a10, m, d); a11 = Vector512.FusedMultiplyAdd(a11, m, d);
            a12 = Vector512.FusedMultiplyAdd(a12, m, d); a13 = Vector512.FusedMultiplyAdd(a13, m, d);
            a14 = Vector512.FusedMultiplyAdd(a14, m, d); a15 = Vector512.FusedMultiplyAdd(a15, m, d);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15).ToScalar();
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma256(long iterations)
    {
        var m = Vector256.Create(0.9999999f);
        var d = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector256<float> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, d); a1 = Vector256.FusedMultiplyAdd(a1, m, d);
            a2 = Vector256.FusedMultiplyAdd(a2, m, d); a3 = Vector256.FusedMultiplyAdd(a3, m, d);
            a4 = Vector256.FusedMultiplyAdd(a4, m, d); a5 = Vector256.FusedMultiplyAdd(a5, m, d);
            a6 = Vector256.FusedMultiplyAdd(a6, m, d); a7 = Vector256.FusedMultiplyAdd(a7, m, d);
            a8 = Vector256.FusedMultiplyAdd(a8, m, d); a9 = Vector256.FusedMultiplyAdd(a9, m, d);
            a10 = Vector256.FusedMultiplyAdd(a10, m, d); a11 = Vector256.FusedMultiplyAdd(a11, m, d);
            a12 = Vector256.FusedMultiplyAdd(a12, m, d); a13 = Vector256.FusedMultiplyAdd(a13, m, d);
            a14 = Vector256.FusedMultiplyAdd(a14, m, d); a15 = Vector256.FusedMultiplyAdd(a15, m, d);
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15).ToScalar();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float FmaScalar(long iterations)
    {
        float a0 = 1, a1 = 1, a2 = 1, a3 = 1, a4 = 1, a5 = 1, a6 = 1, a7 = 1, a8 = 1, a9 = 1, a10 = 1, a11 = 1, a12 = 1, a13 = 1, a14 = 1, a15 = 1;
        for (long i = 0; i < iterations; i++)
        {
            a0 = a0 * 0.9999999f + 1e-7f; a1 = a1 * 0.9999999f + 1e-7f; a2 = a2 * 0.9999999f + 1e-7f; a3 = a3 * 0.9999999f + 1e-7f;
            a4 = a4 * 0.9999999f + 1e-7f; a5 = a5 * 0.9999999f + 1e-7f; a6 = a6 * 0.9999999f + 1e-7f; a7 = a7 * 0.9999999f + 1e-7f;
            a8 = a8 * 0.9999999f + 1e-7f; a9 = a9 * 0.9999999f + 1e-7f; a10 = a10 * 0.9999999f + 1e-7f; a11 = a11 * 0.9999999f + 1e-7f;
            a12 = a12 * 0.9999999f + 1e-7f; a13 = a13 * 0.9999999f + 1e-7f; a14 = a14 * 0.9999999f + 1e-7f; a15 = a15 * 0.9999999f + 1e-7f;
        }
        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
    }
}
