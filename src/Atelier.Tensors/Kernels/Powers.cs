using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

// Square, square root, reciprocal square root (a true 1/√x, not the approximate instruction: identical in every
// width) and x^p for a scalar p.

internal readonly struct SquareOperator : IUnaryOperator
{
    public float Invoke(float x) => x * x;
    public Vector256<float> Invoke(Vector256<float> x) => x * x;
    public Vector512<float> Invoke(Vector512<float> x) => x * x;
}

/// <summary>√x; x &lt; 0 → NaN, -0 → -0.</summary>
internal readonly struct SqrtOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Sqrt(x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Sqrt(x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Sqrt(x);
}

/// <summary>1/√x; 0 → +∞, x &lt; 0 → NaN.</summary>
internal readonly struct RsqrtOperator : IUnaryOperator
{
    public float Invoke(float x) => 1f / MathF.Sqrt(x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / Vector256.Sqrt(x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / Vector512.Sqrt(x);
}

/// <summary>
/// x^p for a fixed p ≠ 0 (p = 0 is handled by the caller: the result is 1 everywhere, like powf). Scalar: powf.
/// Vectors: exp(p·ln|x|) in double precision (rounded once to float, within 1 ulp of powf), with the sign of x
/// for odd integer p and NaN for x &lt; 0 with non-integer p, as powf.
/// </summary>
internal readonly struct PowOperator(float p) : IUnaryOperator
{
    private readonly bool _isInteger = MathF.Round(p) == p;
    private readonly bool _isOdd = MathF.Round(p) == p && MathF.Abs(p % 2) == 1;

    public float Invoke(float x) => MathF.Pow(x, p);

    public Vector256<float> Invoke(Vector256<float> x)
    {
        var lo = PowDouble(Vector256.WidenLower(x));
        var hi = PowDouble(Vector256.WidenUpper(x));
        return Vector256.Narrow(lo, hi);
    }

    public Vector512<float> Invoke(Vector512<float> x)
    {
        var lo = PowDouble(Vector512.WidenLower(x));
        var hi = PowDouble(Vector512.WidenUpper(x));
        return Vector512.Narrow(lo, hi);
    }

    private Vector256<double> PowDouble(Vector256<double> x)
    {
        var r = Vector256.Exp(Vector256.Create((double)p) * Vector256.Log(Vector256.Abs(x)));
        var negative = Vector256.LessThan(x.AsInt64(), Vector256<long>.Zero).AsDouble(); // sign bit, so -0 counts
        if (_isOdd) return Vector256.ConditionalSelect(negative, -r, r);
        if (_isInteger) return r;
        return Vector256.ConditionalSelect(negative & ~Vector256.Equals(x, Vector256<double>.Zero), Vector256.Create(double.NaN), r);
    }

    private Vector512<double> PowDouble(Vector512<double> x)
    {
        var r = Vector512.Exp(Vector512.Create((double)p) * Vector512.Log(Vector512.Abs(x)));
        var negative = Vector512.LessThan(x.AsInt64(), Vector512<long>.Zero).AsDouble();
        if (_isOdd) return Vector512.ConditionalSelect(negative, -r, r);
        if (_isInteger) return r;
        return Vector512.ConditionalSelect(negative & ~Vector512.Equals(x, Vector512<double>.Zero), Vector512.Create(double.NaN), r);
    }
}

/// <summary>Gradient of x^p: (g, x) ↦ g · p · x^(p-1).</summary>
internal readonly struct PowGradOperator(float p) : IBinaryOperator
{
    private readonly PowOperator _pm1 = new(p - 1);

    public float Invoke(float g, float x) => p == 1 ? g : g * p * _pm1.Invoke(x);
    public Vector256<float> Invoke(Vector256<float> g, Vector256<float> x) => p == 1 ? g : g * Vector256.Create(p) * _pm1.Invoke(x);
    public Vector512<float> Invoke(Vector512<float> g, Vector512<float> x) => p == 1 ? g : g * Vector512.Create(p) * _pm1.Invoke(x);
}
