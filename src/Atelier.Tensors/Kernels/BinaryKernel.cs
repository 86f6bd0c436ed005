using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// y[i] = op(a[i], b[i]) over contiguous float32 runs (y may alias a or b). Same loop/tail scheme as
/// <see cref="UnaryKernel"/>; a scalar operand goes through <see cref="BoundLeft{TOp}"/>/<see cref="BoundRight{TOp}"/>.
/// </summary>
internal static unsafe class BinaryKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TOp>(TOp op, float* a, float* b, float* y, long n) where TOp : struct, IBinaryOperator
    {
        if (Vector512.IsHardwareAccelerated) ApplyVector512(op, a, b, y, n);
        else if (Vector256.IsHardwareAccelerated) ApplyVector256(op, a, b, y, n);
        else ApplyScalar(op, a, b, y, n);
    }

    /// <summary>The definition.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyScalar<TOp>(TOp op, float* a, float* b, float* y, long n) where TOp : struct, IBinaryOperator
    {
        for (long i = 0; i < n; i++) y[i] = op.Invoke(a[i], b[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyVector512<TOp>(TOp op, float* a, float* b, float* y, long n) where TOp : struct, IBinaryOperator
    {
        long i = 0;
        for (; i <= n - 16; i += 16) Vector512.Store(op.Invoke(Vector512.Load(a + i), Vector512.Load(b + i)), y + i);
        if (i < n)
        {
            int rest = (int)(n - i);
            float* bufA = stackalloc float[16];
            float* bufB = stackalloc float[16];
            new Span<float>(bufA, 16).Clear();
            new Span<float>(bufB, 16).Clear();
            new ReadOnlySpan<float>(a + i, rest).CopyTo(new Span<float>(bufA, 16));
            new ReadOnlySpan<float>(b + i, rest).CopyTo(new Span<float>(bufB, 16));
            Vector512.Store(op.Invoke(Vector512.Load(bufA), Vector512.Load(bufB)), bufA);
            new ReadOnlySpan<float>(bufA, rest).CopyTo(new Span<float>(y + i, rest));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ApplyVector256<TOp>(TOp op, float* a, float* b, float* y, long n) where TOp : struct, IBinaryOperator
    {
        long i = 0;
        for (; i <= n - 8; i += 8) Vector256.Store(op.Invoke(Vector256.Load(a + i), Vector256.Load(b + i)), y + i);
        if (i < n)
        {
            int rest = (int)(n - i);
            float* bufA = stackalloc float[8];
            float* bufB = stackalloc float[8];
            new Span<float>(bufA, 8).Clear();
            new Span<float>(bufB, 8).Clear();
            new ReadOnlySpan<float>(a + i, rest).CopyTo(new Span<float>(bufA, 8));
            new ReadOnlySpan<float>(b + i, rest).CopyTo(new Span<float>(bufB, 8));
            Vector256.Store(op.Invoke(Vector256.Load(bufA), Vector256.Load(bufB)), bufA);
            new ReadOnlySpan<float>(bufA, rest).CopyTo(new Span<float>(y + i, rest));
        }
    }
}
