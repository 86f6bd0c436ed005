using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Atelier.Tensors;

/// <summary>
/// Opt-in wall-time accounting per operation kind (linear, conv2d, group_norm, add, copy, ...), to see where a
/// forward pass spends its time. Off by default; when off, an operation pays one static-field test. Only the
/// outermost operation on the calling thread is timed, so an op that calls another (a GroupNorm widening its
/// input, say) is counted once, under its own name. Not thread-safe by design: profile one forward at a time.
/// </summary>
public static class OpProfiler
{
    private static readonly Dictionary<string, Entry> s_entries = [];
    [ThreadStatic] private static int t_depth;

    /// <summary>True while operations are being timed.</summary>
    public static bool Enabled { get; private set; }

    /// <summary>True while the GEMM-like ops (conv2d, linear, attention) are keyed by their shapes too.</summary>
    public static bool ByShape { get; private set; }

    /// <summary>Clears the table and starts timing; <paramref name="byShape"/> splits conv2d, linear and attention by shape.</summary>
    public static void Start(bool byShape = false)
    {
        lock (s_entries) s_entries.Clear();
        ByShape = byShape;
        Enabled = true;
    }

    /// <summary>Stops timing and returns the table, slowest kind first.</summary>
    public static IReadOnlyList<OpProfileEntry> Stop()
    {
        Enabled = false;
        lock (s_entries)
            return s_entries.Select(e => new OpProfileEntry(e.Key, e.Value.Calls, e.Value.Ticks * 1.0 / Stopwatch.Frequency, e.Value.Flops))
                .OrderByDescending(e => e.Seconds).ToList();
    }

    /// <summary>Times the operation <paramref name="op"/> until the returned scope is disposed (a no-op when profiling is off);
    /// <paramref name="flops"/> (multiply-adds count 2) is summed for the row's GFLOP/s.</summary>
    internal static Timer Measure(string op, double flops = 0) => Enabled ? new Timer(op, flops) : default;

    internal readonly struct Timer : IDisposable
    {
        private readonly string? _op;    // null: nested inside a timed op (counted there) or profiling off
        private readonly bool _entered;
        private readonly long _start;
        private readonly double _flops;

        public Timer(string op, double flops)
        {
            _entered = true;
            if (t_depth++ > 0) return;
            _op = op;
            _flops = flops;
            _start = Stopwatch.GetTimestamp();
        }

        public void Dispose()
        {
            if (!_entered) return;
            t_depth--;
            if (_op is null) return;
            long ticks = Stopwatch.GetTimestamp() - _start;
            lock (s_entries)
            {
                ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(s_entries, _op, out _);
                entry.Calls++;
                entry.Ticks += ticks;
                entry.Flops += _flops;
            }
        }
    }

    private struct Entry
    {
        public long Calls;
        public long Ticks;
        public double Flops;
    }
}

/// <summary>One row of <see cref="OpProfiler.Stop"/>: an operation kind, how often it ran, its total wall time and
/// floating-point operations (0 for ops that do not count them: only conv2d, linear and attention do).</summary>
public sealed record OpProfileEntry(string Op, long Calls, double Seconds, double Flops);
