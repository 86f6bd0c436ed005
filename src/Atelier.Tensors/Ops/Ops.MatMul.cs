using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

// Matrix products through the GEMM contract (Kernels/Gemm.cs): operands are passed as strided views (a transpose
// is a swap of strides, F16/BF16 weights stay half precision), C is a new row-major float32 tensor.
public static partial class Ops
{
    /// <summary>
    /// Matrix product with torch.matmul semantics: a [..., M, K] @ b [..., K, N] → [..., M, N] with the batch
    /// dimensions broadcast; a 1-D operand is a row (a) or column (b) vector whose dimension is removed from the
    /// result. Accumulates in float32; any floating dtype and any strides.
    /// </summary>
    public static Tensor MatMul(this Tensor a, Tensor b)
    {
        using var profile = OpProfiler.Measure("matmul");
        if (a.Rank == 0 || b.Rank == 0)
            throw new TensorShapeException("matmul", $"{a.Shape} @ {b.Shape} has a rank-0 operand", "operands of rank 1 or more");
        if (a.Rank == 1) return MatMul(a.Unsqueeze(0), b).Squeeze(-2);
        if (b.Rank == 1) return MatMul(a, b.Unsqueeze(1)).Squeeze(-1);
        Elementwise.RequireFloat("matmul", a);
        Elementwise.RequireFloat("matmul", b);
        if (a.Shape[-1] != b.Shape[-2])
            throw new TensorShapeException("matmul", $"inner dimensions differ: {a.Shape} @ {b.Shape}", "a.shape[-1] == b.shape[-2]");
        var y = MatMulUnrecorded("matmul", a, b);
        if (Autograd.ShouldRecord(a, b)) Autograd.Record(y, "matmul", Derivatives.MatMul, a, b);
        return y;
    }

    /// <summary>
    /// y = x · weightᵀ + bias, as torch.nn.functional.linear: x [..., in], weight [out, in] (F32, F16 or BF16, used
    /// in place without conversion), bias [out] (optional) → [..., out] float32. With <paramref name="residual"/>
    /// ([..., out], the output's shape) the result is <c>x.Linear(weight, bias).Add(residual)</c>, bit for bit, with
    /// the addition done as each output tile is finished (a transformer block's skip connection, without a pass of its
    /// own); when gradients are recorded it runs as exactly that composition.
    /// </summary>
    public static unsafe Tensor Linear(this Tensor x, Tensor weight, Tensor? bias = null, Tensor? residual = null)
    {
        using var profile = OpProfiler.Measure(OpProfiler.ByShape ? $"linear {x.Shape} -> {weight.Shape[0]}" : "linear",
            weight.Rank == 2 ? 2.0 * x.ElementCount * weight.Shape[0] : 0);
        Elementwise.RequireFloat("linear", x);
        Elementwise.RequireFloat("linear", weight);
        if (weight.Rank != 2)
            throw new TensorShapeException("linear", $"weight {weight.Shape} is not 2-D (input {x.Shape})", "weight [out_features, in_features]");
        if (x.Rank == 0 || x.Shape[-1] != weight.Shape[1])
            throw new TensorShapeException("linear", $"input features differ: x {x.Shape}, weight {weight.Shape}", "x.shape[-1] == weight.shape[1] (weight is [out, in])");
        int outFeatures = weight.Shape[0], inFeatures = weight.Shape[1];
        if (bias is not null)
        {
            Elementwise.RequireFloat("linear", bias);
            if (bias.Rank != 1 || bias.Shape[0] != outFeatures)
                throw new TensorShapeException("linear", $"bias {bias.Shape} for weight {weight.Shape}", $"bias [{outFeatures}]");
        }
        Shape outShape = x.Shape.With(x.Rank - 1, outFeatures);
        if (residual is not null)
        {
            Elementwise.RequireFloat("linear", residual);
            if (residual.Shape != outShape)
                throw new TensorShapeException("linear", $"residual {residual.Shape} for input {x.Shape} and weight {weight.Shape}", $"a residual of the output's shape {outShape}");
            if (Autograd.ShouldRecord(x, weight, bias) || Autograd.ShouldRecord(residual)) return x.Linear(weight, bias).Add(residual);
        }
        Tensor x2 = x.Rank == 2 ? x : x.Reshape(-1, inFeatures);   // [rows, in] (a view when possible)
        int rows = x2.Shape[0];
        var y = Tensor.Empty([rows, outFeatures]);                  // [rows, out]
        var av = new MatrixView(x2.Data, x2.DType, rows, inFeatures, x2.Strides[0], x2.Strides[1]);
        var bv = new MatrixView(weight.Data, weight.DType, inFeatures, outFeatures, weight.Strides[1], weight.Strides[0]); // weightᵀ
        Tensor? b = bias?.AsF32Contiguous();
        Tensor? r = residual?.AsF32Contiguous();
        // Each output's chain starts from its bias; the residual is added once the chain is complete.
        Gemm.MultiplyWithEpilogue(av, bv, y.F32, outFeatures, b is null ? null : b.F32, r is null ? null : r.F32);
        GC.KeepAlive(b);
        GC.KeepAlive(r);
        GC.KeepAlive(x2);
        GC.KeepAlive(weight);
        Tensor result = y.Reshape(outShape);                       // [..., out]
        if (Autograd.ShouldRecord(x, weight, bias)) Autograd.Record(result, "linear", Derivatives.Linear, x, weight, bias);
        return result;
    }

    /// <summary>The batched product without autograd: shapes already checked, ranks ≥ 2.</summary>
    internal static unsafe Tensor MatMulUnrecorded(string op, Tensor a, Tensor b)
    {
        int m = a.Shape[-2], k = a.Shape[-1], n = b.Shape[-1];
        Shape batchA = new(a.Shape.Dims[..^2]), batchB = new(b.Shape.Dims[..^2]);
        Shape batch = Broadcasting.Shape(op, batchA, batchB);
        var dims = batch.ToArray().Concat([m, n]).ToArray();
        var y = Tensor.Empty(new Shape(dims));                          // [..., M, N]
        if (y.ElementCount == 0) return y;
        long[] sa = BatchStrides(a, batch), sb = BatchStrides(b, batch);
        long[][] strides = [Tensor.ContiguousStrides(batch), sa, sb];
        int[] bdims = StridedLayout.Coalesce(batch.Dims, strides);
        long[] sc = strides[0];
        sa = strides[1];
        sb = strides[2];
        int count = bdims.Length == 0 ? 1 : bdims[^1];
        long strideC = bdims.Length == 0 ? 0 : sc[^1] * m * n, strideA = bdims.Length == 0 ? 0 : sa[^1], strideB = bdims.Length == 0 ? 0 : sb[^1];
        long outer = bdims.Length == 0 ? 1 : StridedLayout.RowCount(bdims);
        int sizeA = a.DType.Size(), sizeB = b.DType.Size();
        var cursor = new RowCursor(bdims.Length == 0 ? [1] : bdims, bdims.Length == 0 ? [0] : sc, bdims.Length == 0 ? [0] : sa, bdims.Length == 0 ? [0] : sb, 0);
        for (long o = 0; o < outer; o++, cursor.Next())
        {
            var av = new MatrixView(a.Data + cursor.Offset1 * sizeA, a.DType, m, k, a.Strides[^2], a.Strides[^1]);
            var bv = new MatrixView(b.Data + cursor.Offset2 * sizeB, b.DType, k, n, b.Strides[^2], b.Strides[^1]);
            float* c = y.F32 + cursor.Offset0 * m * n;
            if (count == 1) Gemm.Multiply(av, bv, c, n);
            else Gemm.MultiplyBatched(count, av, strideA, bv, strideB, c, n, strideC);
        }
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        return y;
    }

    /// <summary>Strides of the batch dimensions of <paramref name="t"/> broadcast to <paramref name="batch"/>.</summary>
    private static long[] BatchStrides(Tensor t, Shape batch)
    {
        int rank = batch.Rank, own = t.Rank - 2, lead = rank - own;
        var strides = new long[rank];
        for (int i = lead; i < rank; i++)
            strides[i] = t.Shape.Dims[i - lead] == 1 && batch.Dims[i] != 1 ? 0 : t.Strides[i - lead];
        return strides;
    }
}
