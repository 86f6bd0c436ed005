using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// y[i] = op(x[i]) over contiguous float32 runs (y may alias x). The loop and tail handling live here once for
/// every operator: full vectors, then the tail through a zero-padded vector buffer, so every element is computed
/// by the same code whatever its position or the run length (results never depend on how work was chunked).
/// </summary>
internal static unsafe class UnaryKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(TOp op, float* x, float* y, long n) where TOp : struct, IUnaryOperator
    {
        if (Vector512.IsHardwareAccelerated) ApplyVector512(op, x, y, n);
        else if (Vector256.IsHardwareAccelerated) ApplyVector256(op, x, y, n);
        else ApplyScalar(op, x, y, n);
    }

    /// <summary>The definition.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyScalar<TOp>(TOp op, float* x, float* y, long n) where TOp : struct, IUnaryOperator
    {
        for (long i = 0; i < n; i++) y[i] = op.Invoke(x[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyVector512<TOp>(TOp op, float* x, float* y, long n) where TOp : struct, IUnaryOperator
    {
        long i = 0;
        for (; i <= n - 32; i += 32)
        {
            var v0 = op.Invoke(Vector512.Load(x + i));
            var v1 = op.Invoke(Vector512.Load(x + i + 16));
            Vector512.Store(v0, y + i);
            Vector512.Store(v1, y + i + 16);
        }
        for (; i <= n - 16; i += 16) Vector512.Store(op.Invoke(Vector512.Load(x + i)), y + i);
        if (i < n)
        {
            int rest = (int)(n - i);
            float* buffer = stackalloc float[16];
            new Span<float>(buffer, 16).Clear();
            new ReadOnlySpan<float>(x + i, rest).CopyTo(new Span<float>(buffer, 16));
            Vector512.Store(op.Invoke(Vector512.Load(buffer)), buffer);
            new ReadOnlySpan<float>(buffer, rest).CopyTo(new Span<float>(y + i, rest));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyVector256<TOp>(TOp op, float* x, float* y, long n) where TOp : struct, IUnaryOperator
    {
        long i = 0;
        for (; i <= n - 16; i += 16)
        {
            var v0 = op.Invoke(Vector256.Load(x + i));
            var v1 = op.Invoke(Vector256.Load(x + i + 8));
            Vector256.Store(v0, y + i);
            Vector256.Store(v1, y + i + 8);
        }
        for (; i <= n - 8; i += 8) Vector256.Store(op.Invoke(Vector256.Load(x + i)), y + i);
        if (i < n)
        {
            int rest = (int)(n - i);
            float* buffer = stackalloc float[8];
            new Span<float>(buffer, 8).Clear();
            new ReadOnlySpan<float>(x + i, rest).CopyTo(new Span<float>(buffer, 8));
            Vector256.Store(op.Invoke(Vector256.Load(buffer)), buffer);
            new ReadOnlySpan<float>(buffer, rest).CopyTo(new Span<float>(y + i, rest));
        }
    }
}
