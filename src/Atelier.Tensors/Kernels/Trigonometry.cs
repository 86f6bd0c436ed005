using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

// sin, cos (timestep embeddings: arguments up to ~1000 rad, so the range reduction matters; the vector
// versions are checked against double precision there) and tanh.

internal readonly struct SinOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Sin(x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Sin(x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Sin(x);
}

internal readonly struct CosOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Cos(x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Cos(x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Cos(x);
}

/// <summary>
/// tanh x. Vectors: (1 - e)/(1 + e) with e = exp(-2|x|) in double precision (no overflow, no cancellation worth
/// a float ulp), sign restored; |x| &lt; 2^-12 returns x (the cubic term is below half an ulp). ±∞ → ±1, NaN → NaN.
/// </summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    private const float Tiny = 1f / 4096;

    public float Invoke(float x) => MathF.Tanh(x);

    public Vector256<float> Invoke(Vector256<float> x)
    {
        var r = Vector256.Narrow(TanhAbs(Vector256.WidenLower(x)), TanhAbs(Vector256.WidenUpper(x)));
        r = Vector256.CopySign(r, x);
        return Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x), Vector256.Create(Tiny)), x, r);
    }

    public Vector512<float> Invoke(Vector512<float> x)
    {
        var r = Vector512.Narrow(TanhAbs(Vector512.WidenLower(x)), TanhAbs(Vector512.WidenUpper(x)));
        r = Vector512.CopySign(r, x);
        return Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), Vector512.Create(Tiny)), x, r);
    }

    private static Vector256<double> TanhAbs(Vector256<double> x)
    {
        var e = Vector256.Exp(Vector256.Create(-2.0) * Vector256.Abs(x));
        return (Vector256<double>.One - e) / (Vector256<double>.One + e);
    }

    private static Vector512<double> TanhAbs(Vector512<double> x)
    {
        var e = Vector512.Exp(Vector512.Create(-2.0) * Vector512.Abs(x));
        return (Vector512<double>.One - e) / (Vector512<double>.One + e);
    }
}

/// <summary>Gradient of tanh from its output: (g, y) ↦ g · (1 - y²).</summary>
internal readonly struct TanhGradOperator : IBinaryOperator
{
    public float Invoke(float g, float y) => g * (1f - y * y);
    public Vector256<float> Invoke(Vector256<float> g, Vector256<float> y) => g * (Vector256<float>.One - y * y);
    public Vector512<float> Invoke(Vector512<float> g, Vector512<float> y) => g * (Vector512<float>.One - y * y);
}
