using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>Elementwise maximum: IEEE 754-2019 maximum (NaN if either is NaN; +0 above -0) in every width.</summary>
internal readonly struct MaxOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => MathF.Max(a, b);
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
}

/// <summary>
/// Maximum of a contiguous float32 run (NaN if any element is NaN; -∞ for an empty run). The result is exact, so
/// every path returns the same value; <see cref="MaxScalar"/> is the reference. Arg-max is a scalar loop (first
/// index of the maximum; the first NaN wins).
/// </summary>
internal static unsafe class MaxKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Max(float* x, long n)
    {
        if (Vector512.IsHardwareAccelerated && n >= 16) return MaxVector512(x, n);
        if (Vector256.IsHardwareAccelerated && n >= 8) return MaxVector256(x, n);
        return MaxScalar(x, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float MaxScalar(float* x, long n)
    {
        float m = float.NegativeInfinity;
        for (long i = 0; i < n; i++) m = MathF.Max(m, x[i]);
        return m;
    }

    // n >= 16: the tail is covered by one overlapping vector ending at n (max is idempotent).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float MaxVector512(float* x, long n)
    {
        var m = Vector512.Load(x);
        long i = 16;
        for (; i <= n - 16; i += 16) m = Vector512.Max(m, Vector512.Load(x + i));
        if (i < n) m = Vector512.Max(m, Vector512.Load(x + n - 16));
        float r = m.GetElement(0);
        for (int k = 1; k < 16; k++) r = MathF.Max(r, m.GetElement(k));
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float MaxVector256(float* x, long n)
    {
        var m = Vector256.Load(x);
        long i = 8;
        for (; i <= n - 8; i += 8) m = Vector256.Max(m, Vector256.Load(x + i));
        if (i < n) m = Vector256.Max(m, Vector256.Load(x + n - 8));
        float r = m.GetElement(0);
        for (int k = 1; k < 8; k++) r = MathF.Max(r, m.GetElement(k));
        return r;
    }

    /// <summary>Index of the first maximum of x[0], x[stride], … (the first NaN if any).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long ArgMax(float* x, long n, long stride)
    {
        long best = 0;
        float m = x[0];
        if (float.IsNaN(m)) return 0;
        for (long i = 1; i < n; i++)
        {
            float v = x[i * stride];
            if (float.IsNaN(v)) return i;
            if (v > m)
            {
                m = v;
                best = i;
            }
        }
        return best;
    }

    /// <summary>Index of the first maximum of an integer sequence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long ArgMax(byte* x, DType type, long n, long stride)
    {
        long best = 0;
        long m = ElementAccess.ReadInteger(x, type, 0);
        for (long i = 1; i < n; i++)
        {
            long v = ElementAccess.ReadInteger(x, type, i * stride);
            if (v > m)
            {
                m = v;
                best = i;
            }
        }
        return best;
    }
}
