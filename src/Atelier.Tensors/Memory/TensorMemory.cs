using System.Numerics;
using System.Runtime.InteropServices;

namespace Atelier.Tensors;

// Tensor memory, in one paragraph: every tensor that owns its memory holds a TensorStorage whose block comes from
// this pool. Requests are rounded up to a size class (multiples of 64 bytes up to 1 KiB, then four classes per
// power of two: 1, 1.25, 1.5 and 1.75 x 2^k, so at most 25 % is wasted) and blocks are 64-byte aligned native
// memory. A released block goes to its class's free list (up to PoolLimitBytes cached; beyond that it is freed),
// so the second step of a UNet loop reuses the blocks of the first and neither the GC nor the native allocator
// sees the churn. Blocks are released by TensorScope.Dispose (the normal path) or, for tensors created outside
// any scope, by the storage's finalizer (the safety net). External storage (memory-mapped weights) never comes
// from here and is not counted.

/// <summary>
/// The pooled native memory behind tensors, and its accounting. <see cref="CurrentBytes"/> counts the blocks held
/// by live tensors (their size-class capacity, not the bytes requested); memory-mapped (external) tensors are not
/// counted. Thread-safe.
/// </summary>
public static unsafe class TensorMemory
{
    /// <summary>Alignment of every block: one cache line, and one Vector512.</summary>
    public const int Alignment = 64;

    private static readonly object s_lock = new();
    private static readonly Dictionary<long, Stack<nint>> s_free = [];
    private static long s_current;
    private static long s_peak;
    private static long s_pooled;
    private static long s_poolLimit = 8L << 30;

    /// <summary>Bytes held by live (not yet released) tensors.</summary>
    public static long CurrentBytes => Interlocked.Read(ref s_current);

    /// <summary>The highest <see cref="CurrentBytes"/> since start-up or the last <see cref="ResetPeak"/>.</summary>
    public static long PeakBytes => Interlocked.Read(ref s_peak);

    /// <summary>Bytes of released blocks cached for reuse.</summary>
    public static long PooledBytes => Interlocked.Read(ref s_pooled);

    /// <summary>At most this many released bytes are cached; a block released beyond it is freed. Default 8 GiB.</summary>
    public static long PoolLimitBytes
    {
        get => Interlocked.Read(ref s_poolLimit);
        set => Interlocked.Exchange(ref s_poolLimit, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the pool limit must be non-negative"));
    }

    /// <summary>Starts a new peak measurement at the current level.</summary>
    public static void ResetPeak()
    {
        lock (s_lock) s_peak = s_current;
    }

    /// <summary>Frees every cached block (live tensors are untouched).</summary>
    public static void Trim()
    {
        lock (s_lock)
        {
            foreach (var stack in s_free.Values)
                while (stack.TryPop(out nint p)) NativeMemory.AlignedFree((void*)p);
            s_pooled = 0;
        }
    }

    /// <summary>The capacity a request of <paramref name="bytes"/> is rounded up to.</summary>
    internal static long SizeClass(long bytes)
    {
        if (bytes <= 1024) return Math.Max(Alignment, (bytes + Alignment - 1) / Alignment * Alignment);
        int log = 63 - BitOperations.LeadingZeroCount((ulong)(bytes - 1)); // 2^log < bytes <= 2^(log+1)
        long quarter = 1L << (log - 2);
        long c = 1L << log;
        while (c < bytes) c += quarter;
        return c;
    }

    /// <summary>A 64-byte aligned block of at least <paramref name="bytes"/> bytes; its size class in <paramref name="capacity"/>.</summary>
    internal static void* Rent(long bytes, out long capacity)
    {
        capacity = SizeClass(bytes);
        void* p = null;
        lock (s_lock)
        {
            if (s_free.TryGetValue(capacity, out var stack) && stack.TryPop(out nint q))
            {
                p = (void*)q;
                s_pooled -= capacity;
            }
            s_current += capacity;
            if (s_current > s_peak) s_peak = s_current;
        }
        if (p is null)
        {
            try
            {
                p = NativeMemory.AlignedAlloc((nuint)capacity, Alignment);
            }
            catch (OutOfMemoryException)
            {
                lock (s_lock) s_current -= capacity;
                throw new OutOfMemoryException($"tensor memory: cannot allocate {capacity} bytes ({CurrentBytes} bytes live, {PooledBytes} pooled).");
            }
        }
        return p;
    }

    /// <summary>Gives a block back: cached for reuse, or freed when the cache is full.</summary>
    internal static void Return(void* p, long capacity)
    {
        bool cache;
        lock (s_lock)
        {
            s_current -= capacity;
            cache = s_pooled + capacity <= s_poolLimit;
            if (cache)
            {
                if (!s_free.TryGetValue(capacity, out var stack))
                    s_free[capacity] = stack = new Stack<nint>();
                stack.Push((nint)p);
                s_pooled += capacity;
            }
        }
        if (!cache) NativeMemory.AlignedFree(p);
    }
}
