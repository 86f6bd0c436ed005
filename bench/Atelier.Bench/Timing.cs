using System.Diagnostics;

namespace Atelier.Bench;

/// <summary>
/// Best-of-N wall times: the machine is shared, so the minimum is the least noisy estimate. Candidates are
/// timed one after the other with a pause between them, because OpenBLAS's worker threads keep spinning
/// for a while after a call and would steal the cores from whatever runs next.
/// </summary>
internal static class Timing
{
    private const int PauseMilliseconds = 250;

    public static double Best(Action run, bool quick) => Best(quick, run)[0];

    public static double[] Best(bool quick, params Action[] runs)
    {
        double[] best = new double[runs.Length];
        for (int i = 0; i < runs.Length; i++)
        {
            Thread.Sleep(PauseMilliseconds);
            runs[i](); // warm-up: JIT, page faults, worker start-up
            int minRuns = quick ? 2 : 10;
            double budget = quick ? 0.2 : 3.0, total = 0;
            best[i] = double.MaxValue;
            for (int r = 0; r < minRuns || (total < budget && r < 300); r++)
            {
                var sw = Stopwatch.StartNew();
                runs[i]();
                double s = sw.Elapsed.TotalSeconds;
                best[i] = Math.Min(best[i], s);
                total += s;
            }
        }
        return best;
    }
}
