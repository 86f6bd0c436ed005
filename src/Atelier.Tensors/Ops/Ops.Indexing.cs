namespace Atelier.Tensors;

// Operations that gather, place or select elements: concat, embedding lookup, where / masked fill.
public static partial class Ops
{
    /// <summary>
    /// Concatenation along <paramref name="dim"/>: all tensors have the same rank and the same sizes except along
    /// <paramref name="dim"/>. The result keeps the common dtype (floating inputs of mixed dtypes give F32).
    /// </summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        const string op = "concat";
        using var profile = OpProfiler.Measure(op);
        if (tensors.Count == 0)
            throw new TensorShapeException(op, "no tensors", "at least one tensor");
        Tensor first = tensors[0];
        int d = first.Shape.Axis(dim, op);
        DType dtype = first.DType;
        int total = 0;
        foreach (var t in tensors)
        {
            bool sameExceptDim = t.Rank == first.Rank;
            for (int i = 0; sameExceptDim && i < t.Rank; i++)
                sameExceptDim = i == d || t.Shape.Dims[i] == first.Shape.Dims[i];
            if (!sameExceptDim)
                throw new TensorShapeException(op, $"shapes {string.Join(", ", tensors.Select(x => x.Shape))} along dimension {dim}", "equal ranks and equal sizes in every other dimension");
            if (t.DType != dtype)
            {
                if (!t.DType.IsFloating() || !dtype.IsFloating())
                    throw new TensorDTypeException(op, $"dtypes {string.Join(", ", tensors.Select(x => x.DType))}", "one dtype, or floating dtypes only (combined as F32)");
                dtype = DType.F32;
            }
            total = checked(total + t.Shape.Dims[d]);
        }
        var y = Tensor.Empty(first.Shape.With(d, total), dtype);
        int offset = 0;
        foreach (var t in tensors)
        {
            int size = t.Shape.Dims[d];
            y.Narrow(d, offset, size).CopyFromUnchecked(t);   // y is not recorded yet: a plain view
            offset += size;
        }
        if (Autograd.ShouldRecord(tensors)) Autograd.Record(y, op, Derivatives.Concat, tensors.ToArray()).Ints = [d];
        return y;
    }

    /// <summary>
    /// Embedding lookup, as torch.nn.functional.embedding: ids (I32 or I64, any shape) index the rows of
    /// <paramref name="weight"/> [V, D] (any float dtype) → [..., D] float32. Every id is checked before any row is
    /// read; an id outside [0, V) throws naming the id, its position and the table size.
    /// </summary>
    public static unsafe Tensor Embedding(Tensor ids, Tensor weight)
    {
        const string op = "embedding";
        if (ids.DType is not (DType.I32 or DType.I64))
            throw new TensorDTypeException(op, $"ids {ids.Shape} have dtype {ids.DType}", "I32 or I64 ids");
        Elementwise.RequireFloat(op, weight);
        if (weight.Rank != 2)
            throw new TensorShapeException(op, $"table {weight.Shape} is not 2-D", "a table [num_embeddings, embedding_dim]");
        int v = weight.Shape[0], dim = weight.Shape[1];
        Tensor idc = ids.Contiguous();
        long count = idc.ElementCount;
        byte* pid = idc.Data;
        for (long i = 0; i < count; i++)
        {
            long id = ElementAccess.ReadInteger(pid, idc.DType, i);
            if ((ulong)id >= (ulong)v)
                throw new TensorShapeException(op, $"id {id} at flat position {i} of ids {ids.Shape} is out of range for a table of {v} rows {weight.Shape}", $"0 <= id < {v}");
        }
        Tensor table = weight.Contiguous();
        var y = Tensor.Empty(ids.Shape.Insert(ids.Rank, dim));                          // [..., D]
        int size = table.DType.Size();
        for (long i = 0; i < count; i++)
        {
            long id = ElementAccess.ReadInteger(pid, idc.DType, i);
            Kernels.CastKernel.Convert(table.Data + id * dim * size, table.DType, (byte*)(y.F32 + i * dim), DType.F32, dim);
        }
        GC.KeepAlive(idc);
        GC.KeepAlive(table);
        if (Autograd.ShouldRecord(weight)) Autograd.Record(y, op, Derivatives.Embedding, ids, weight);
        return y;
    }

    /// <summary>
    /// Elementwise choice: <paramref name="a"/> where <paramref name="condition"/> (Bool or U8, non-zero = true)
    /// holds, else <paramref name="b"/>; all three broadcast together. Result float32.
    /// </summary>
    public static unsafe Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        const string op = "where";
        if (condition.DType is not (DType.Bool or DType.U8))
            throw new TensorDTypeException(op, $"condition {condition.Shape} has dtype {condition.DType}", "a Bool or U8 condition");
        Elementwise.RequireFloat(op, a);
        Elementwise.RequireFloat(op, b);
        Shape shape = Broadcasting.Shape(op, Broadcasting.Shape(op, condition.Shape, a.Shape), b.Shape);
        Tensor c = condition.Expand(shape.Dims).Contiguous();
        Tensor fa = a.Detach().Expand(shape.Dims).AsF32Contiguous();
        Tensor fb = b.Detach().Expand(shape.Dims).AsF32Contiguous();
        var y = Tensor.Empty(shape);
        byte* pc = c.Data;
        float* pa = fa.F32, pb = fb.F32, py = y.F32;
        long n = y.ElementCount;
        for (long i = 0; i < n; i++) py[i] = pc[i] != 0 ? pa[i] : pb[i];
        GC.KeepAlive(c);
        GC.KeepAlive(fa);
        GC.KeepAlive(fb);
        if (Autograd.ShouldRecord(a, b)) Autograd.Record(y, op, Derivatives.Where, condition, a, b);
        return y;
    }

    /// <summary>x with <paramref name="value"/> wherever <paramref name="mask"/> (Bool/U8, broadcast to x) is true, e.g. -∞ for padding masks.</summary>
    public static Tensor MaskedFill(this Tensor x, Tensor mask, float value)
    {
        var shape = Broadcasting.Shape("masked_fill", x.Shape, mask.Shape);
        if (shape != x.Shape)
            throw new TensorShapeException("masked_fill", $"mask {mask.Shape} broadcasts input {x.Shape} to {shape}", "a mask broadcastable to the input's shape");
        return Where(mask, Tensor.Scalar(value), x);
    }
}
