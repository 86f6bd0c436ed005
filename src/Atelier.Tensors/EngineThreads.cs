using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

/// <summary>
/// How many threads the engine's kernels use (default: every core, or the <c>ATELIER_THREADS</c> environment
/// variable at start-up). Results do not depend on it: kernels split work so that every output element is
/// computed in the same order whatever the count. For <c>--threads</c> options and tests of that promise.
/// </summary>
public static class EngineThreads
{
    /// <summary>The worker count (at least 1). Set it between operations, not while one is running.</summary>
    public static int Count
    {
        get => Parallelism.Threads;
        set => Parallelism.Threads = value;
    }
}
