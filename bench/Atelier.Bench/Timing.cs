using System.Diagnostics;

namespace Atelier.Bench;

/// <summary>Best-of-N wall time: the machine is shared, so the minimum is the least noisy estimate.</summary>
internal static class Timing
{
    public static double Best(Action run, bool quick)
    {
        run(); // warm-up: JIT, page faults, worker start-up
        int minRuns = quick ? 2 : 7;
        double budget = quick ? 0.2 : 1.5, best = double.MaxValue, total = 0;
        for (int i = 0; i < minRuns || (total < budget && i < 200); i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            double s = sw.Elapsed.TotalSeconds;
            best = Math.Min(best, s);
            total += s;
        }
        return best;
    }
}
