using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

// GELU, x·Φ(x) with Φ the standard normal CDF, in PyTorch's two forms:
//  * exact (approximate='none'): Φ(x) = ½·erfc(-x/√2). erfc comes from the Chebyshev fit of Numerical Recipes
//    (Press et al., 2nd ed., §6.2, "erfcc": erfc(z) = t·exp(-z² + P(t)), t = 1/(1 + z/2), fractional error
//    < 1.2e-7 for all z ≥ 0). Using erfc instead of 1 + erf keeps full relative accuracy for negative x, where
//    1 + erf cancels. z² is formed exactly as x²/2 with an FMA error term, and e^(-z²) and e^P(t) are taken
//    separately (rounding their sum would cost ~2e-6 relative at x ≈ -10).
//  * tanh (approximate='tanh'): ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³), evaluated through the identity
//    1 + tanh(u) = 2σ(2u) = 2/(1 + e^(-2u)), which does not cancel for negative x (PyTorch's float form loses
//    ~1e-4 relative there). Within 1e-6 relative for x ≥ -3; below, the rounding of the float exponent 2u adds
//    about 2e-7·|2u| (1e-5 at x = -9, where the value is 1e-28).
// Tests compare both against double-precision references (relative error ~1e-6).

internal static class GeluMath
{
    public const float InvSqrt2 = 0.70710678118654752f;
    public const float InvSqrt2Pi = 0.39894228040143268f;   // 1/√(2π), for the density φ
    public const float TanhBeta = 0.79788456080286536f;     // √(2/π)
    public const float TanhKappa = 0.044715f;

    /// <summary>Beyond ±30, Φ is exactly 1 or 0 in float (e^-450 underflows); clamping keeps ±∞ out of the FMA error term.</summary>
    public const float Limit = 30f;

    // Numerical Recipes erfcc coefficients, P(t) = c0 + t(c1 + t(c2 + …)).
    public const float C0 = -1.26551223f, C1 = 1.00002368f, C2 = 0.37409196f, C3 = 0.09678418f, C4 = -0.18628806f;
    public const float C5 = 0.27886807f, C6 = -1.13520398f, C7 = 1.48851587f, C8 = -0.82215223f, C9 = 0.17087277f;

    /// <summary>Φ(x) for float x (scalar definition).</summary>
    public static float Phi(float x)
    {
        x = MathF.Min(MathF.Max(x, -Limit), Limit);
        float z = MathF.Abs(x) * InvSqrt2;
        float t = 1f / (1f + 0.5f * z);
        float p = C9;
        p = MathF.FusedMultiplyAdd(p, t, C8);
        p = MathF.FusedMultiplyAdd(p, t, C7);
        p = MathF.FusedMultiplyAdd(p, t, C6);
        p = MathF.FusedMultiplyAdd(p, t, C5);
        p = MathF.FusedMultiplyAdd(p, t, C4);
        p = MathF.FusedMultiplyAdd(p, t, C3);
        p = MathF.FusedMultiplyAdd(p, t, C2);
        p = MathF.FusedMultiplyAdd(p, t, C1);
        p = MathF.FusedMultiplyAdd(p, t, C0);
        float x2 = x * x;
        float x2Error = MathF.FusedMultiplyAdd(x, x, -x2);      // x² = x2 + x2Error exactly
        float erfc = t * MathF.Exp(-0.5f * x2) * MathF.Exp(p) * (1f - 0.5f * x2Error);
        float half = 0.5f * erfc;                                // = Φ(-|x|)
        return x >= 0 ? 1f - half : half;
    }

    public static Vector512<float> Phi(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-Limit)), Vector512.Create(Limit));
        var z = Vector512.Abs(x) * Vector512.Create(InvSqrt2);
        var t = Vector512<float>.One / (Vector512<float>.One + Vector512.Create(0.5f) * z);
        var p = Vector512.Create(C9);
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C8));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C7));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C6));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C5));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C4));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C3));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C2));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C1));
        p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C0));
        var x2 = x * x;
        var x2Error = Vector512.FusedMultiplyAdd(x, x, -x2);
        var half = Vector512.Create(0.5f);
        var erfc = t * Vector512.Exp(-half * x2) * Vector512.Exp(p) * (Vector512<float>.One - half * x2Error);
        var tail = half * erfc;
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.One - tail, tail);
    }

    public static Vector256<float> Phi(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-Limit)), Vector256.Create(Limit));
        var z = Vector256.Abs(x) * Vector256.Create(InvSqrt2);
        var t = Vector256<float>.One / (Vector256<float>.One + Vector256.Create(0.5f) * z);
        var p = Vector256.Create(C9);
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C8));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C7));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C6));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C1));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C0));
        var x2 = x * x;
        var x2Error = Vector256.FusedMultiplyAdd(x, x, -x2);
        var half = Vector256.Create(0.5f);
        var erfc = t * Vector256.Exp(-half * x2) * Vector256.Exp(p) * (Vector256<float>.One - half * x2Error);
        var tail = half * erfc;
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.One - tail, tail);
    }
}

/// <summary>Exact GELU x·Φ(x). +∞ → +∞; -∞ → NaN (-∞·0, as PyTorch); NaN → NaN.</summary>
internal readonly struct GeluOperator : IUnaryOperator
{
    public float Invoke(float x) => x * GeluMath.Phi(x);
    public Vector256<float> Invoke(Vector256<float> x) => x * GeluMath.Phi(x);
    public Vector512<float> Invoke(Vector512<float> x) => x * GeluMath.Phi(x);
}

/// <summary>Gradient of exact GELU: (g, x) ↦ g · (Φ(x) + x·φ(x)), φ(x) = e^(-x²/2)/√(2π).</summary>
internal readonly struct GeluGradOperator : IBinaryOperator
{
    public float Invoke(float g, float x) => g * (GeluMath.Phi(x) + x * GeluMath.InvSqrt2Pi * MathF.Exp(-0.5f * x * x));

    public Vector256<float> Invoke(Vector256<float> g, Vector256<float> x) =>
        g * (GeluMath.Phi(x) + x * Vector256.Create(GeluMath.InvSqrt2Pi) * Vector256.Exp(Vector256.Create(-0.5f) * x * x));

    public Vector512<float> Invoke(Vector512<float> g, Vector512<float> x) =>
        g * (GeluMath.Phi(x) + x * Vector512.Create(GeluMath.InvSqrt2Pi) * Vector512.Exp(Vector512.Create(-0.5f) * x * x));
}

/// <summary>Tanh-approximated GELU: ½x(1 + tanh(u)) = x·σ(2u), u = β(x + κx³), β = √(2/π), κ = 0.044715.</summary>
internal readonly struct GeluTanhOperator : IUnaryOperator
{
    public float Invoke(float x) => x / (1f + MathF.Exp(-2f * GeluMath.TanhBeta * (x + GeluMath.TanhKappa * x * x * x)));

    public Vector256<float> Invoke(Vector256<float> x)
    {
        var u2 = Vector256.Create(-2f * GeluMath.TanhBeta) * (x + Vector256.Create(GeluMath.TanhKappa) * x * x * x);
        return x / (Vector256<float>.One + Vector256.Exp(u2));
    }

    public Vector512<float> Invoke(Vector512<float> x)
    {
        var u2 = Vector512.Create(-2f * GeluMath.TanhBeta) * (x + Vector512.Create(GeluMath.TanhKappa) * x * x * x);
        return x / (Vector512<float>.One + Vector512.Exp(u2));
    }
}

/// <summary>Gradient of tanh GELU: with s = σ(2u), d/dx x·s = s + 2x·s(1 - s)·β(1 + 3κx²).</summary>
internal readonly struct GeluTanhGradOperator : IBinaryOperator
{
    public float Invoke(float g, float x)
    {
        float s = 1f / (1f + MathF.Exp(-2f * GeluMath.TanhBeta * (x + GeluMath.TanhKappa * x * x * x)));
        return g * (s + 2f * x * s * (1f - s) * GeluMath.TanhBeta * (1f + 3f * GeluMath.TanhKappa * x * x));
    }

    public Vector256<float> Invoke(Vector256<float> g, Vector256<float> x)
    {
        var one = Vector256<float>.One;
        var s = one / (one + Vector256.Exp(Vector256.Create(-2f * GeluMath.TanhBeta) * (x + Vector256.Create(GeluMath.TanhKappa) * x * x * x)));
        var du = Vector256.Create(GeluMath.TanhBeta) * (one + Vector256.Create(3f * GeluMath.TanhKappa) * x * x);
        return g * (s + Vector256.Create(2f) * x * s * (one - s) * du);
    }

    public Vector512<float> Invoke(Vector512<float> g, Vector512<float> x)
    {
        var one = Vector512<float>.One;
        var s = one / (one + Vector512.Exp(Vector512.Create(-2f * GeluMath.TanhBeta) * (x + Vector512.Create(GeluMath.TanhKappa) * x * x * x)));
        var du = Vector512.Create(GeluMath.TanhBeta) * (one + Vector512.Create(3f * GeluMath.TanhKappa) * x * x);
        return g * (s + Vector512.Create(2f) * x * s * (one - s) * du);
    }
}
