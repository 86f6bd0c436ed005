using System.Diagnostics;

namespace Atelier.Bench;

/// <summary>
/// Best-of-N wall times. The machine is shared, so the minimum is the least noisy estimate, and candidates
/// measured side by side run in interleaved rounds (a, b, c, a, b, c, …) so a noisy stretch hits all of them.
/// </summary>
internal static class Timing
{
    public static double Best(Action run, bool quick) => Best(quick, run)[0];

    public static double[] Best(bool quick, params Action[] runs)
    {
        foreach (var run in runs) run(); // warm-up: JIT, page faults, worker start-up
        int minRounds = quick ? 2 : 7;
        double budget = quick ? 0.3 : 3.0, total = 0;
        double[] best = Enumerable.Repeat(double.MaxValue, runs.Length).ToArray();
        for (int round = 0; round < minRounds || (total < budget && round < 200); round++)
            for (int i = 0; i < runs.Length; i++)
            {
                var sw = Stopwatch.StartNew();
                runs[i]();
                double s = sw.Elapsed.TotalSeconds;
                best[i] = Math.Min(best[i], s);
                total += s;
            }
        return best;
    }
}
