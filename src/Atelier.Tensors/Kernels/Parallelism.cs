using System.Runtime.ExceptionServices;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// The engine's worker threads: a small persistent pool for data-parallel loops. Kernels split work into
/// chunks decided by the problem size (or, when the split cannot change any result, by the thread count),
/// so results are bit-identical whatever <see cref="Threads"/> is.
/// </summary>
/// <remarks>
/// The caller takes part in every loop; workers spin briefly after a loop (loops come in quick succession
/// inside one GEMM) and then block. A loop started from inside a loop body, or while another thread's loop
/// is running, runs inline on the calling thread: no deadlock, same results, only less parallel.
/// Indices are handed out through one shared counter, so a slow (preempted) thread does not stall the rest.
/// </remarks>
internal static class Parallelism
{
    // How long an idle worker polls for the next loop before it blocks: 400 x SpinWait(8) ≈ 100 µs (measured
    // on the Sapphire Rapids dev box). Long enough to bridge the gap between back-to-back kernels of one
    // layer, short enough not to steal a shared machine; a blocked worker costs a futex wake (~10-50 µs).
    private const int SpinIterations = 400;

    private static int s_threads = DefaultThreads();
    private static readonly object s_gate = new();   // workers sleep on it
    private static readonly object s_runGate = new(); // one loop at a time
    private static readonly List<Thread> s_workers = [];
    private static int s_generation;     // incremented per loop; workers run each generation once
    private static int s_sleepers;
    private static Job? s_job;

    [ThreadStatic] private static bool t_inLoop;

    /// <summary>Worker count (default: all cores; ATELIER_THREADS overrides at start-up).</summary>
    public static int Threads
    {
        get => s_threads;
        set => s_threads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "thread count must be at least 1");
    }

    /// <summary>Runs body(i) for i in [0, count), spread over the workers; returns when all are done.
    /// The first exception thrown by a body is rethrown here (remaining indices are abandoned).</summary>
    public static void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (count <= 0) return;
        int participants = Math.Min(s_threads, count);
        if (participants == 1 || t_inLoop || !Monitor.TryEnter(s_runGate))
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        try
        {
            EnsureWorkers(participants - 1);
            var job = new Job(body, count, participants);
            Volatile.Write(ref s_job, job);
            Interlocked.Increment(ref s_generation);
            if (Volatile.Read(ref s_sleepers) > 0)
                lock (s_gate) Monitor.PulseAll(s_gate);

            t_inLoop = true;
            try { job.Work(); }
            finally { t_inLoop = false; }

            var spin = new SpinWait();
            while (Volatile.Read(ref job.Pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
            Volatile.Write(ref s_job, null);
            job.Failure?.Throw();
        }
        finally
        {
            Monitor.Exit(s_runGate);
        }
    }

    private static int DefaultThreads()
    {
        string? env = Environment.GetEnvironmentVariable("ATELIER_THREADS");
        if (string.IsNullOrWhiteSpace(env)) return Math.Max(1, Environment.ProcessorCount);
        if (int.TryParse(env, out int t) && t >= 1) return t;
        throw new InvalidOperationException($"ATELIER_THREADS='{env}' is not a positive integer (the number of worker threads the tensor engine uses).");
    }

    private static void EnsureWorkers(int needed)
    {
        while (s_workers.Count < needed)
        {
            int slot = s_workers.Count + 1; // participant 0 is the caller
            // The generation before the loop about to be published: a worker that starts late must still see
            // that loop as new (reading the generation on its own thread could already see the loop's value).
            int seen = Volatile.Read(ref s_generation);
            var thread = new Thread(() => WorkerLoop(slot, seen)) { IsBackground = true, Name = $"atelier-worker-{slot}" };
            s_workers.Add(thread);
            thread.Start();
        }
    }

    private static void WorkerLoop(int slot, int seen)
    {
        t_inLoop = true;
        Job? last = null;
        while (true)
        {
            int spins = 0;
            while (Volatile.Read(ref s_generation) == seen)
            {
                if (spins++ < SpinIterations) { Thread.SpinWait(8); continue; }
                lock (s_gate)
                {
                    Interlocked.Increment(ref s_sleepers);
                    while (Volatile.Read(ref s_generation) == seen) Monitor.Wait(s_gate);
                    Interlocked.Decrement(ref s_sleepers);
                }
            }
            seen = Volatile.Read(ref s_generation);
            Job? job = Volatile.Read(ref s_job);
            // Each job runs at most once per worker; a loop with fewer participants than workers leaves the
            // extra workers out (they are not counted in Pending).
            if (job is null || job == last || slot >= job.Participants) continue;
            last = job;
            job.Work();
            Interlocked.Decrement(ref job.Pending);
        }
    }

    private sealed class Job(Action<int> body, int count, int participants)
    {
        public readonly int Participants = participants;
        public int Pending = participants - 1; // workers still to finish (the caller waits on it)
        private int _next = -1;
        private ExceptionDispatchInfo? _failure;

        public ExceptionDispatchInfo? Failure => Volatile.Read(ref _failure);

        public void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < count)
            {
                if (Volatile.Read(ref _failure) is not null) return;
                try { body(i); }
                catch (Exception e) { Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null); return; }
            }
        }
    }
}
