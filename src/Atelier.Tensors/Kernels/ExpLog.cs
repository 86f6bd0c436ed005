using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

// e^x and ln x. Scalar: the C runtime (MathF); vectors: System.Runtime.Intrinsics (about 1 ulp, measured by
// the kernel tests against double precision). exp: -∞ → 0, +∞ → +∞, NaN → NaN; log: 0 → -∞, x < 0 → NaN.

internal readonly struct ExpOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Exp(x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Exp(x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Exp(x);
}

internal readonly struct LogOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Log(x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Log(x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Log(x);
}
