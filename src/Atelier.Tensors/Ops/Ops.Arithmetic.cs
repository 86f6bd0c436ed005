using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

/// <summary>
/// Every tensor computation, as static methods that are also extension methods (<c>Ops.Exp(x)</c> or
/// <c>x.Exp()</c>). Inputs may be any layout and any floating dtype (F16/BF16 are widened on the fly); results
/// are new contiguous float32 tensors. Binary operations broadcast like NumPy. NaN and ±∞ follow IEEE 754
/// unless a method says otherwise. Results are bit-identical whatever the thread count.
/// </summary>
public static partial class Ops
{
    /// <summary>a + b (broadcast).</summary>
    public static Tensor Add(this Tensor a, Tensor b)
    {
        var y = Elementwise.Binary("add", a, b, new AddOperator());
        if (Autograd.ShouldRecord(a, b)) Autograd.Record(y, "add", Derivatives.Add, a, b);
        return y;
    }

    /// <summary>a + s.</summary>
    public static Tensor Add(this Tensor a, float s)
    {
        var y = Elementwise.Unary("add", a, new BoundRight<AddOperator>(default, s));
        if (Autograd.ShouldRecord(a)) Autograd.Record(y, "add", Derivatives.Identity, a);
        return y;
    }

    /// <summary>a - b (broadcast).</summary>
    public static Tensor Sub(this Tensor a, Tensor b)
    {
        var y = Elementwise.Binary("sub", a, b, new SubtractOperator());
        if (Autograd.ShouldRecord(a, b)) Autograd.Record(y, "sub", Derivatives.Sub, a, b);
        return y;
    }

    /// <summary>s - a.</summary>
    public static Tensor Sub(float s, Tensor a)
    {
        var y = Elementwise.Unary("sub", a, new BoundLeft<SubtractOperator>(default, s));
        if (Autograd.ShouldRecord(a)) Autograd.Record(y, "rsub", Derivatives.Neg, a);
        return y;
    }

    /// <summary>a · b (broadcast).</summary>
    public static Tensor Mul(this Tensor a, Tensor b)
    {
        var y = Elementwise.Binary("mul", a, b, new MultiplyOperator());
        if (Autograd.ShouldRecord(a, b)) Autograd.Record(y, "mul", Derivatives.Mul, a, b);
        return y;
    }

    /// <summary>a · s.</summary>
    public static Tensor Mul(this Tensor a, float s)
    {
        var y = Elementwise.Unary("mul", a, new BoundRight<MultiplyOperator>(default, s));
        if (Autograd.ShouldRecord(a)) Autograd.Record(y, "mul", Derivatives.MulScalar, a).Floats = [s];
        return y;
    }

    /// <summary>a / b (broadcast); x/0 = ±∞, 0/0 = NaN.</summary>
    public static Tensor Div(this Tensor a, Tensor b)
    {
        var y = Elementwise.Binary("div", a, b, new DivideOperator());
        if (Autograd.ShouldRecord(a, b)) Autograd.Record(y, "div", Derivatives.Div, a, b);
        return y;
    }

    /// <summary>a / s (a true division, not a multiplication by 1/s: results match PyTorch bit for bit).</summary>
    public static Tensor Div(this Tensor a, float s)
    {
        var y = Elementwise.Unary("div", a, new BoundRight<DivideOperator>(default, s));
        if (Autograd.ShouldRecord(a)) Autograd.Record(y, "div", Derivatives.MulScalar, a).Floats = [1f / s];
        return y;
    }

    /// <summary>s / a.</summary>
    public static Tensor Div(float s, Tensor a)
    {
        var y = Elementwise.Unary("div", a, new BoundLeft<DivideOperator>(default, s));
        if (Autograd.ShouldRecord(a)) Autograd.Record(y, "rdiv", Derivatives.ScalarDiv, a).Saved = [y];
        return y;
    }

    /// <summary>-a.</summary>
    public static Tensor Neg(this Tensor a)
    {
        var y = Elementwise.Unary("neg", a, new NegateOperator());
        if (Autograd.ShouldRecord(a)) Autograd.Record(y, "neg", Derivatives.Neg, a);
        return y;
    }

    /// <summary>dst += src in place (src broadcast to dst; dst contiguous float32, not recorded). For gradient accumulation and optimisers.</summary>
    public static void AddInPlace(Tensor dst, Tensor src)
    {
        if (dst.DType != DType.F32 || !dst.IsContiguous)
            throw new TensorDTypeException("add_", $"destination {dst.DType} {dst.Shape} {(dst.IsContiguous ? "" : "(strided)")}", "a contiguous F32 destination");
        if (dst.IsExternal)
            throw new TensorDTypeException("add_", $"destination {dst.Shape} is external (memory-mapped) memory", "a tensor owned by the engine");
        Elementwise.RequireFloat("add_", src);
        Shape shape = Broadcasting.Shape("add_", dst.Shape, src.Shape);
        if (shape != dst.Shape)
            throw new TensorShapeException("add_", $"source {src.Shape} broadcasts the destination {dst.Shape} to {shape}", "a source broadcastable to the destination's shape");
        Tensor fs = src.DType == DType.F32 ? src : src.AsF32Contiguous();
        Elementwise.Broadcast(new AddOperator(), dst, fs, dst);
        GC.KeepAlive(fs);
    }
}
