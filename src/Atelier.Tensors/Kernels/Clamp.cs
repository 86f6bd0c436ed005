using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

// clamp, relu and abs, with their gradient masks. NaN propagates (clamp(NaN) = relu(NaN) = NaN, as PyTorch).

/// <summary>min(max(x, lo), hi) with IEEE maximum/minimum (NaN stays NaN).</summary>
internal readonly struct ClampOperator(float lo, float hi) : IUnaryOperator
{
    public float Invoke(float x) => MathF.Min(MathF.Max(x, lo), hi);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Min(Vector256.Max(x, Vector256.Create(lo)), Vector256.Create(hi));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Min(Vector512.Max(x, Vector512.Create(lo)), Vector512.Create(hi));
}

/// <summary>Gradient of clamp: (g, x) ↦ g where lo ≤ x ≤ hi, else 0 (as PyTorch).</summary>
internal readonly struct ClampGradOperator(float lo, float hi) : IBinaryOperator
{
    public float Invoke(float g, float x) => x >= lo && x <= hi ? g : 0f;

    public Vector256<float> Invoke(Vector256<float> g, Vector256<float> x) =>
        g & (Vector256.GreaterThanOrEqual(x, Vector256.Create(lo)) & Vector256.LessThanOrEqual(x, Vector256.Create(hi)));

    public Vector512<float> Invoke(Vector512<float> g, Vector512<float> x) =>
        g & (Vector512.GreaterThanOrEqual(x, Vector512.Create(lo)) & Vector512.LessThanOrEqual(x, Vector512.Create(hi)));
}

/// <summary>max(x, 0); NaN → NaN.</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Max(x, 0f);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
}

/// <summary>Gradient of relu: (g, x) ↦ g where x &gt; 0, else 0.</summary>
internal readonly struct ReluGradOperator : IBinaryOperator
{
    public float Invoke(float g, float x) => x > 0f ? g : 0f;
    public Vector256<float> Invoke(Vector256<float> g, Vector256<float> x) => g & Vector256.GreaterThan(x, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> g, Vector512<float> x) => g & Vector512.GreaterThan(x, Vector512<float>.Zero);
}

internal readonly struct AbsOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Abs(x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Abs(x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Abs(x);
}

/// <summary>Gradient of |x|: (g, x) ↦ g · sign(x), sign(0) = 0.</summary>
internal readonly struct AbsGradOperator : IBinaryOperator
{
    public float Invoke(float g, float x) => x > 0f ? g : x < 0f ? -g : 0f;

    public Vector256<float> Invoke(Vector256<float> g, Vector256<float> x) =>
        (g & Vector256.GreaterThan(x, Vector256<float>.Zero)) | (-g & Vector256.LessThan(x, Vector256<float>.Zero));

    public Vector512<float> Invoke(Vector512<float> g, Vector512<float> x) =>
        (g & Vector512.GreaterThan(x, Vector512<float>.Zero)) | (-g & Vector512.LessThan(x, Vector512<float>.Zero));
}
