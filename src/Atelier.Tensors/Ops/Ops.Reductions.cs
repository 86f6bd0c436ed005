using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

// Reductions. Association order is fixed by the data size (see SumKernel): bit-identical for any thread count;
// it may differ by float rounding between CPUs with different vector widths.
public static partial class Ops
{
    /// <summary>Sum of all elements, as a rank-0 tensor. NaN if any element is NaN.</summary>
    public static unsafe Tensor Sum(this Tensor x)
    {
        Elementwise.RequireFloat("sum", x);
        Tensor src = x.AsF32Contiguous();
        var y = Tensor.Empty(Shape.Scalar);
        *y.F32 = SumKernel.SumLong(src.F32, src.ElementCount);
        GC.KeepAlive(src);
        if (Autograd.ShouldRecord(x)) Autograd.Record(y, "sum", Derivatives.SumAll, x);
        return y;
    }

    /// <summary>Sum over <paramref name="dim"/> (removed unless <paramref name="keepDim"/>).</summary>
    public static Tensor Sum(this Tensor x, int dim, bool keepDim = false) => Sum(x, [dim], keepDim);

    /// <summary>Sum over several dimensions (removed unless <paramref name="keepDim"/>).</summary>
    public static Tensor Sum(this Tensor x, int[] dims, bool keepDim = false)
    {
        Elementwise.RequireFloat("sum", x);
        bool[] reduce = ReducedAxes("sum", x.Shape, dims);
        Tensor y = x.AsF32Contiguous();
        for (int d = x.Rank - 1; d >= 0; d--)
            if (reduce[d]) y = SumDimKeep(y, d);
        if (ReferenceEquals(y, x)) y = x.Clone();
        Shape kept = y.Shape;
        if (!keepDim) y = y.Reshape(DropAxes(kept, reduce));
        if (Autograd.ShouldRecord(x)) Autograd.Record(y, "sum", Derivatives.SumDims, x).Ints = kept.ToArray();
        return y;
    }

    /// <summary>Mean of all elements, as a rank-0 tensor (NaN for an empty tensor).</summary>
    public static Tensor Mean(this Tensor x)
    {
        Tensor y;
        using (Autograd.PauseIf(x.RequiresGrad)) y = Div(Sum(x), (float)x.ElementCount);
        if (Autograd.ShouldRecord(x)) Autograd.Record(y, "mean", Derivatives.MeanAll, x);
        return y;
    }

    /// <summary>Mean over <paramref name="dim"/>.</summary>
    public static Tensor Mean(this Tensor x, int dim, bool keepDim = false) => Mean(x, [dim], keepDim);

    /// <summary>Mean over several dimensions.</summary>
    public static Tensor Mean(this Tensor x, int[] dims, bool keepDim = false)
    {
        bool[] reduce = ReducedAxes("mean", x.Shape, dims);
        long count = 1;
        for (int d = 0; d < x.Rank; d++) if (reduce[d]) count *= x.Shape.Dims[d];
        Tensor y;
        using (Autograd.PauseIf(x.RequiresGrad)) y = Div(Sum(x, dims, keepDim: true), (float)count);
        Shape kept = y.Shape;
        if (!keepDim) y = y.Reshape(DropAxes(kept, reduce));
        if (Autograd.ShouldRecord(x))
        {
            var node = Autograd.Record(y, "mean", Derivatives.MeanDims, x);
            node.Ints = kept.ToArray();
            node.Floats = [count];
        }
        return y;
    }

    /// <summary>
    /// Variance over <paramref name="dim"/> with Bessel's <paramref name="correction"/> (1 = unbiased, as
    /// torch.var; 0 = population): Σ(x - mean)² / (n - correction), two-pass.
    /// </summary>
    public static Tensor Var(this Tensor x, int dim, bool keepDim = false, int correction = 1)
    {
        int d = x.Shape.Axis(dim, "var");
        int n = x.Shape.Dims[d];
        Tensor centered = Sub(x, Mean(x, d, keepDim: true));
        return Div(Sum(Square(centered), d, keepDim), (float)Math.Max(0, n - correction));
    }

    /// <summary>Standard deviation: √<see cref="Var"/>.</summary>
    public static Tensor Std(this Tensor x, int dim, bool keepDim = false, int correction = 1) => Sqrt(Var(x, dim, keepDim, correction));

    /// <summary>Maximum of all elements as a rank-0 tensor (NaN if any is NaN). The gradient goes to the first maximum.</summary>
    public static Tensor Max(this Tensor x)
    {
        if (x.ElementCount == 0)
            throw new TensorShapeException("max", $"tensor {x.Shape} is empty", "at least one element");
        return Max(x.Reshape(-1), 0, keepDim: false);
    }

    /// <summary>
    /// Maximum over <paramref name="dim"/> (NaN if any element of the slice is NaN). The gradient goes to the first
    /// maximum of each slice (as <see cref="ArgMax(Tensor, int, bool)"/>).
    /// </summary>
    public static unsafe Tensor Max(this Tensor x, int dim, bool keepDim = false)
    {
        Elementwise.RequireFloat("max", x);
        int d = x.Shape.Axis(dim, "max");
        if (x.Shape.Dims[d] == 0)
            throw new TensorShapeException("max", $"dimension {dim} of tensor {x.Shape} is empty", "a non-empty dimension");
        Tensor src = x.AsF32Contiguous();
        var (outer, count, inner) = Split3(x.Shape, d);
        var kept = x.Shape.With(d, 1);
        var y = Tensor.Empty(kept);
        var index = Tensor.Empty(kept, DType.I64);
        float* px = src.F32, py = y.F32;
        long* pi = (long*)index.Data;
        Parallelism.For(checked((int)outer), o =>
        {
            for (long c = 0; c < inner; c++)
            {
                float* row = px + o * count * inner + c;
                long k = MaxKernel.ArgMax(row, count, inner);
                pi[o * inner + c] = k;
                py[o * inner + c] = row[k * inner];
            }
        });
        GC.KeepAlive(src);
        if (!keepDim) y = y.Reshape(x.Shape.Remove(d));
        if (Autograd.ShouldRecord(x))
        {
            var node = Autograd.Record(y, "max", Derivatives.MaxDim, x);
            node.Saved = [index];
            node.Ints = [d];
        }
        return y;
    }

    /// <summary>
    /// Index (I64) of the first maximum over <paramref name="dim"/>; NaN counts as the maximum (first NaN wins).
    /// Accepts floating and integer tensors (e.g. CLIP's end-of-text position: <c>ids.ArgMax(-1)</c>).
    /// </summary>
    public static unsafe Tensor ArgMax(this Tensor x, int dim, bool keepDim = false)
    {
        int d = x.Shape.Axis(dim, "argmax");
        if (x.Shape.Dims[d] == 0)
            throw new TensorShapeException("argmax", $"dimension {dim} of tensor {x.Shape} is empty", "a non-empty dimension");
        Tensor src = x.DType.IsFloating() ? x.AsF32Contiguous() : x.Contiguous();
        var (outer, count, inner) = Split3(x.Shape, d);
        var index = Tensor.Empty(x.Shape.With(d, 1), DType.I64);
        long* pi = (long*)index.Data;
        byte* px = src.Data;
        DType type = src.DType;
        int size = type.Size();
        Parallelism.For(checked((int)outer), o =>
        {
            for (long c = 0; c < inner; c++)
            {
                byte* row = px + (o * count * inner + c) * size;
                pi[o * inner + c] = type == DType.F32 ? MaxKernel.ArgMax((float*)row, count, inner) : MaxKernel.ArgMax(row, type, count, inner);
            }
        });
        GC.KeepAlive(src);
        return keepDim ? index : index.Reshape(x.Shape.Remove(d));
    }

    /// <summary>Index (I64, rank 0) of the first maximum of the flattened tensor.</summary>
    public static Tensor ArgMax(this Tensor x) => ArgMax(x.Reshape(-1), 0).Reshape(Shape.Scalar);

    /// <summary>Sum over one dimension of a contiguous float32 tensor, keeping it as size 1.</summary>
    internal static unsafe Tensor SumDimKeep(Tensor x, int d)
    {
        var (outer, count, inner) = Split3(x.Shape, d);
        var y = Tensor.Empty(x.Shape.With(d, 1));
        if (inner == 1) SumKernel.SumRows(x.F32, y.F32, outer, count);
        else SumKernel.SumColumns(x.F32, y.F32, outer, count, inner);
        GC.KeepAlive(x);
        return y;
    }

    /// <summary>(product of dims before d, dims[d], product of dims after d).</summary>
    internal static (long Outer, long Count, long Inner) Split3(Shape s, int d)
    {
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= s.Dims[i];
        for (int i = d + 1; i < s.Rank; i++) inner *= s.Dims[i];
        return (outer, s.Dims[d], inner);
    }

    private static bool[] ReducedAxes(string op, Shape shape, int[] dims)
    {
        var reduce = new bool[shape.Rank];
        foreach (int dim in dims)
        {
            int d = shape.Axis(dim, op);
            if (reduce[d])
                throw new TensorShapeException(op, $"dimension {dim} listed twice in [{string.Join(", ", dims)}] for tensor {shape}", "distinct dimensions");
            reduce[d] = true;
        }
        return reduce;
    }

    private static Shape DropAxes(Shape shape, bool[] drop)
    {
        var dims = new List<int>();
        for (int i = 0; i < shape.Rank; i++) if (!drop[i]) dims.Add(shape.Dims[i]);
        return new Shape(dims.ToArray());
    }
}
