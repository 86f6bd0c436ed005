using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// A float32 function of one value, in three widths. The scalar <see cref="Invoke(float)"/> is the definition;
/// the vector forms must agree with it (exactly for arithmetic, within a few ulp for transcendental functions) and
/// are tested against it at every length. Implemented by small structs so the loops in <see cref="UnaryKernel"/>
/// are specialised and inlined per operator.
/// </summary>
internal interface IUnaryOperator
{
    float Invoke(float x);

    Vector256<float> Invoke(Vector256<float> x);

    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>A float32 function of two values (see <see cref="IUnaryOperator"/>); loops in <see cref="BinaryKernel"/>.</summary>
internal interface IBinaryOperator
{
    float Invoke(float a, float b);

    Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);

    Vector512<float> Invoke(Vector512<float> a, Vector512<float> b);
}

/// <summary>x ↦ op(x, b) for a fixed scalar b: tensor-scalar arithmetic and row-broadcast binary ops run through the unary loop.</summary>
internal readonly struct BoundRight<TOp>(TOp op, float b) : IUnaryOperator where TOp : struct, IBinaryOperator
{
    private readonly Vector256<float> _b256 = Vector256.Create(b);
    private readonly Vector512<float> _b512 = Vector512.Create(b);

    public float Invoke(float x) => op.Invoke(x, b);

    public Vector256<float> Invoke(Vector256<float> x) => op.Invoke(x, _b256);

    public Vector512<float> Invoke(Vector512<float> x) => op.Invoke(x, _b512);
}

/// <summary>x ↦ op(a, x) for a fixed scalar a.</summary>
internal readonly struct BoundLeft<TOp>(TOp op, float a) : IUnaryOperator where TOp : struct, IBinaryOperator
{
    private readonly Vector256<float> _a256 = Vector256.Create(a);
    private readonly Vector512<float> _a512 = Vector512.Create(a);

    public float Invoke(float x) => op.Invoke(a, x);

    public Vector256<float> Invoke(Vector256<float> x) => op.Invoke(_a256, x);

    public Vector512<float> Invoke(Vector512<float> x) => op.Invoke(_a512, x);
}
