namespace Atelier.Tensors.Kernels;

/// <summary>
/// The engine's worker threads. Work is split into a fixed number of chunks decided by the problem size,
/// never by the thread count, so results are bit-identical whatever <see cref="Threads"/> is.
/// Placeholder implementation over the TPL.
/// </summary>
internal static class Parallelism
{
    private static int s_threads = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Worker count (default: all cores; ATELIER_THREADS overrides at start-up).</summary>
    public static int Threads
    {
        get => s_threads;
        set => s_threads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "thread count must be at least 1");
    }

    /// <summary>Runs body(i) for i in [0, count), spread over the workers; returns when all are done.</summary>
    public static void For(int count, Action<int> body)
    {
        if (count <= 0) return;
        if (count == 1 || s_threads == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        System.Threading.Tasks.Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = s_threads }, body);
    }
}
