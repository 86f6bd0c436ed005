using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

// The four arithmetic operators and negation: IEEE results, identical in every width (NaN in → NaN out,
// x/0 → ±∞, 0/0 → NaN).

internal readonly struct AddOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a + b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a + b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a + b;
}

internal readonly struct SubtractOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a - b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a - b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a - b;
}

internal readonly struct MultiplyOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a * b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a * b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a * b;
}

internal readonly struct DivideOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a / b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a / b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a / b;
}

internal readonly struct NegateOperator : IUnaryOperator
{
    public float Invoke(float x) => -x;
    public Vector256<float> Invoke(Vector256<float> x) => -x;
    public Vector512<float> Invoke(Vector512<float> x) => -x;
}
