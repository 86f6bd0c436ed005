using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// Sums of float32 data in a fixed association order that depends on the data size only (never on the thread
/// count): a contiguous run is summed in four vector accumulators (the tail through a zero-padded vector), long
/// runs are cut into blocks of <see cref="Block"/> elements whose partial sums are added in double precision in
/// block order. The scalar <see cref="SumScalar"/> (double accumulation) is the reference; vector results differ
/// from it only by float rounding. NaN anywhere gives NaN; +∞ and -∞ together give NaN.
/// </summary>
internal static unsafe class SumKernel
{
    public const int Block = 8192;
    private const long ChunkElements = 1 << 15;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum(float* x, long n)
    {
        if (Vector512.IsHardwareAccelerated) return SumVector512(x, n);
        if (Vector256.IsHardwareAccelerated) return SumVector256(x, n);
        return SumScalar(x, n);
    }

    /// <summary>The definition (double accumulator, rounded once).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumScalar(float* x, long n)
    {
        double s = 0;
        for (long i = 0; i < n; i++) s += x[i];
        return (float)s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumVector512(float* x, long n)
    {
        var a0 = Vector512<float>.Zero;
        var a1 = Vector512<float>.Zero;
        var a2 = Vector512<float>.Zero;
        var a3 = Vector512<float>.Zero;
        long i = 0;
        for (; i <= n - 64; i += 64)
        {
            a0 += Vector512.Load(x + i);
            a1 += Vector512.Load(x + i + 16);
            a2 += Vector512.Load(x + i + 32);
            a3 += Vector512.Load(x + i + 48);
        }
        for (; i <= n - 16; i += 16) a0 += Vector512.Load(x + i);
        if (i < n)
        {
            float* buffer = stackalloc float[16];
            new Span<float>(buffer, 16).Clear();
            new ReadOnlySpan<float>(x + i, (int)(n - i)).CopyTo(new Span<float>(buffer, 16));
            a1 += Vector512.Load(buffer);
        }
        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumVector256(float* x, long n)
    {
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        var a2 = Vector256<float>.Zero;
        var a3 = Vector256<float>.Zero;
        long i = 0;
        for (; i <= n - 32; i += 32)
        {
            a0 += Vector256.Load(x + i);
            a1 += Vector256.Load(x + i + 8);
            a2 += Vector256.Load(x + i + 16);
            a3 += Vector256.Load(x + i + 24);
        }
        for (; i <= n - 8; i += 8) a0 += Vector256.Load(x + i);
        if (i < n)
        {
            float* buffer = stackalloc float[8];
            new Span<float>(buffer, 8).Clear();
            new ReadOnlySpan<float>(x + i, (int)(n - i)).CopyTo(new Span<float>(buffer, 8));
            a1 += Vector256.Load(buffer);
        }
        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    /// <summary>A long run: blocks summed in parallel, partials added in double in block order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumLong(float* x, long n)
    {
        if (n <= Block) return Sum(x, n);
        int blocks = checked((int)((n + Block - 1) / Block));
        var partial = new double[blocks];
        Parallelism.For((blocks + 3) / 4, item =>
        {
            for (int b = item * 4; b < Math.Min(blocks, item * 4 + 4); b++)
            {
                long start = (long)b * Block;
                partial[b] = Sum(x + start, Math.Min(Block, n - start));
            }
        });
        double s = 0;
        foreach (double p in partial) s += p;
        return (float)s;
    }

    /// <summary>y[r] = Σ_j x[r, j] for a contiguous [rows, length] block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumRows(float* x, float* y, long rows, long length)
    {
        if (length > Block)
        {
            for (long r = 0; r < rows; r++) y[r] = SumLong(x + r * length, length);
            return;
        }
        long rowsPerItem = Math.Max(1, ChunkElements / Math.Max(1, length));
        int items = checked((int)((rows + rowsPerItem - 1) / rowsPerItem));
        Parallelism.For(items, item =>
        {
            long r1 = Math.Min(rows, (item + 1) * rowsPerItem);
            for (long r = item * rowsPerItem; r < r1; r++) y[r] = Sum(x + r * length, length);
        });
    }

    /// <summary>
    /// y[o, c] = Σ_r x[o, r, c] for a contiguous [outer, count, inner] block, adding rows in ascending r
    /// (vectorised along c: each element's association order is the same in every width).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumColumns(float* x, float* y, long outer, long count, long inner)
    {
        const long ColumnChunk = 4096;
        long chunksPerRow = (inner + ColumnChunk - 1) / ColumnChunk;
        int items = checked((int)(outer * chunksPerRow));
        Parallelism.For(items, item =>
        {
            long o = item / chunksPerRow;
            long c0 = item % chunksPerRow * ColumnChunk;
            long n = Math.Min(ColumnChunk, inner - c0);
            float* dst = y + o * inner + c0;
            float* src = x + o * count * inner + c0;
            if (count == 0)
            {
                new Span<float>(dst, (int)n).Clear();
                return;
            }
            Buffer.MemoryCopy(src, dst, n * sizeof(float), n * sizeof(float));
            for (long r = 1; r < count; r++) BinaryKernel.Apply(new AddOperator(), dst, src + r * inner, dst, n);
        });
    }

    /// <summary>Σ (x[i] - mean)² over a contiguous run (the second pass of a two-pass variance).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumSquaredDeviation(float* x, long n, float mean)
    {
        if (Vector512.IsHardwareAccelerated) return SumSquaredDeviationVector512(x, n, mean);
        if (Vector256.IsHardwareAccelerated) return SumSquaredDeviationVector256(x, n, mean);
        return SumSquaredDeviationScalar(x, n, mean);
    }

    /// <summary>The definition (double accumulator).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumSquaredDeviationScalar(float* x, long n, float mean)
    {
        double s = 0;
        for (long i = 0; i < n; i++)
        {
            float d = x[i] - mean;
            s += d * d;
        }
        return (float)s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumSquaredDeviationVector512(float* x, long n, float mean)
    {
        var m = Vector512.Create(mean);
        var a0 = Vector512<float>.Zero;
        var a1 = Vector512<float>.Zero;
        long i = 0;
        for (; i <= n - 32; i += 32)
        {
            var d0 = Vector512.Load(x + i) - m;
            var d1 = Vector512.Load(x + i + 16) - m;
            a0 = Vector512.FusedMultiplyAdd(d0, d0, a0);
            a1 = Vector512.FusedMultiplyAdd(d1, d1, a1);
        }
        for (; i <= n - 16; i += 16)
        {
            var d = Vector512.Load(x + i) - m;
            a0 = Vector512.FusedMultiplyAdd(d, d, a0);
        }
        if (i < n)
        {
            // Padding lanes hold the mean itself, so they contribute exactly 0.
            float* buffer = stackalloc float[16];
            new Span<float>(buffer, 16).Fill(mean);
            new ReadOnlySpan<float>(x + i, (int)(n - i)).CopyTo(new Span<float>(buffer, 16));
            var d = Vector512.Load(buffer) - m;
            a1 = Vector512.FusedMultiplyAdd(d, d, a1);
        }
        return Vector512.Sum(a0 + a1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SumSquaredDeviationVector256(float* x, long n, float mean)
    {
        var m = Vector256.Create(mean);
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        long i = 0;
        for (; i <= n - 16; i += 16)
        {
            var d0 = Vector256.Load(x + i) - m;
            var d1 = Vector256.Load(x + i + 8) - m;
            a0 = Vector256.FusedMultiplyAdd(d0, d0, a0);
            a1 = Vector256.FusedMultiplyAdd(d1, d1, a1);
        }
        for (; i <= n - 8; i += 8)
        {
            var d = Vector256.Load(x + i) - m;
            a0 = Vector256.FusedMultiplyAdd(d, d, a0);
        }
        if (i < n)
        {
            float* buffer = stackalloc float[8];
            new Span<float>(buffer, 8).Fill(mean);
            new ReadOnlySpan<float>(x + i, (int)(n - i)).CopyTo(new Span<float>(buffer, 8));
            var d = Vector256.Load(buffer) - m;
            a1 = Vector256.FusedMultiplyAdd(d, d, a1);
        }
        return Vector256.Sum(a0 + a1);
    }

    /// <summary>Mean and Σ(x - mean)² of a run of any length: blocks of <see cref="Block"/> combined in double, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float Mean, double SquaredDeviation) Moments(float* x, long n)
    {
        double sum = 0;
        for (long start = 0; start < n; start += Block) sum += Sum(x + start, Math.Min(Block, n - start));
        float mean = (float)(sum / n);
        double sq = 0;
        for (long start = 0; start < n; start += Block) sq += SumSquaredDeviation(x + start, Math.Min(Block, n - start), mean);
        return (mean, sq);
    }
}
