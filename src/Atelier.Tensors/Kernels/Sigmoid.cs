using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

// The logistic family: sigmoid σ(x) = 1/(1 + e^-x), SiLU x·σ(x) (= x/(1 + e^-x), PyTorch's form) and
// QuickGELU x·σ(1.702x) (OpenAI CLIP), with their gradients. σ(-∞) = 0, σ(+∞) = 1, NaN → NaN.

internal readonly struct SigmoidOperator : IUnaryOperator
{
    public float Invoke(float x) => 1f / (1f + MathF.Exp(-x));
    public Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));
}

/// <summary>Gradient of σ from its output: (g, y) ↦ g · y(1 - y).</summary>
internal readonly struct SigmoidGradOperator : IBinaryOperator
{
    public float Invoke(float g, float y) => g * y * (1f - y);
    public Vector256<float> Invoke(Vector256<float> g, Vector256<float> y) => g * y * (Vector256<float>.One - y);
    public Vector512<float> Invoke(Vector512<float> g, Vector512<float> y) => g * y * (Vector512<float>.One - y);
}

/// <summary>x · σ(kx): SiLU for k = 1, QuickGELU for k = 1.702.</summary>
internal readonly struct SiluOperator(float k) : IUnaryOperator
{
    public float Invoke(float x) => x / (1f + MathF.Exp(-k * x));
    public Vector256<float> Invoke(Vector256<float> x) => x / (Vector256<float>.One + Vector256.Exp(Vector256.Create(-k) * x));
    public Vector512<float> Invoke(Vector512<float> x) => x / (Vector512<float>.One + Vector512.Exp(Vector512.Create(-k) * x));
}

/// <summary>Gradient of x·σ(kx): (g, x) ↦ g · s(1 + kx(1 - s)) with s = σ(kx).</summary>
internal readonly struct SiluGradOperator(float k) : IBinaryOperator
{
    public float Invoke(float g, float x)
    {
        float s = 1f / (1f + MathF.Exp(-k * x));
        return g * s * (1f + k * x * (1f - s));
    }

    public Vector256<float> Invoke(Vector256<float> g, Vector256<float> x)
    {
        var one = Vector256<float>.One;
        var kx = Vector256.Create(k) * x;
        var s = one / (one + Vector256.Exp(-kx));
        return g * s * (one + kx * (one - s));
    }

    public Vector512<float> Invoke(Vector512<float> g, Vector512<float> x)
    {
        var one = Vector512<float>.One;
        var kx = Vector512.Create(k) * x;
        var s = one / (one + Vector512.Exp(-kx));
        return g * s * (one + kx * (one - s));
    }
}
