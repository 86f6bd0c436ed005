using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

/// <summary>
/// Runs elementwise operators over tensors: checks dtypes, widens F16/BF16 inputs to float32, broadcasts, splits
/// the work into chunks of a fixed element count (never by thread count) and calls the contiguous kernels on
/// each innermost row. Outputs are new contiguous float32 tensors.
/// </summary>
internal static unsafe class Elementwise
{
    /// <summary>Elements per parallel work item (results do not depend on it: every element is computed alone).</summary>
    public const long ChunkElements = 1 << 15;

    public static void RequireFloat(string op, Tensor t)
    {
        if (!t.DType.IsFloating())
            throw new TensorDTypeException(op, $"tensor {t.Shape} has dtype {t.DType}", "a floating tensor (F32, F16 or BF16); call Cast(DType.F32) first");
    }

    public static Tensor Unary<TOp>(string op, Tensor x, TOp f) where TOp : struct, IUnaryOperator
    {
        using var profile = OpProfiler.Measure(op);
        RequireFloat(op, x);
        Tensor src = x.AsF32Contiguous();
        var y = Tensor.Empty(x.Shape);
        Run(f, src.F32, y.F32, y.ElementCount);
        GC.KeepAlive(src);
        return y;
    }

    /// <summary>y = f(x) over <paramref name="n"/> contiguous elements, in parallel chunks.</summary>
    public static void Run<TOp>(TOp f, float* x, float* y, long n) where TOp : struct, IUnaryOperator
    {
        if (n <= ChunkElements)
        {
            UnaryKernel.Apply(f, x, y, n);
            return;
        }
        int chunks = (int)((n + ChunkElements - 1) / ChunkElements);
        Parallelism.For(chunks, c =>
        {
            long start = c * ChunkElements;
            UnaryKernel.Apply(f, x + start, y + start, Math.Min(ChunkElements, n - start));
        });
    }

    /// <summary>y = f(a, b) over <paramref name="n"/> contiguous elements, in parallel chunks.</summary>
    public static void Run<TOp>(TOp f, float* a, float* b, float* y, long n) where TOp : struct, IBinaryOperator
    {
        if (n <= ChunkElements)
        {
            BinaryKernel.Apply(f, a, b, y, n);
            return;
        }
        int chunks = (int)((n + ChunkElements - 1) / ChunkElements);
        Parallelism.For(chunks, c =>
        {
            long start = c * ChunkElements;
            BinaryKernel.Apply(f, a + start, b + start, y + start, Math.Min(ChunkElements, n - start));
        });
    }

    public static Tensor Binary<TOp>(string op, Tensor a, Tensor b, TOp f) where TOp : struct, IBinaryOperator
    {
        using var profile = OpProfiler.Measure(op);
        RequireFloat(op, a);
        RequireFloat(op, b);
        Shape shape = Broadcasting.Shape(op, a.Shape, b.Shape);
        Tensor fa = a.DType == DType.F32 ? a : a.AsF32Contiguous();
        Tensor fb = b.DType == DType.F32 ? b : b.AsF32Contiguous();
        var y = Tensor.Empty(shape);
        Broadcast(f, fa, fb, y);
        GC.KeepAlive(fa);
        GC.KeepAlive(fb);
        return y;
    }

    /// <summary>y = f(a, b) with a and b (float32, any strides) broadcast to y's shape; y contiguous (may alias a or b when they have y's layout).</summary>
    public static void Broadcast<TOp>(TOp f, Tensor a, Tensor b, Tensor y) where TOp : struct, IBinaryOperator
    {
        Shape shape = y.Shape;
        float* pa = a.F32, pb = b.F32, py = y.F32;
        if (a.IsContiguous && b.IsContiguous && a.Shape == shape && b.Shape == shape)
        {
            Run(f, pa, pb, py, y.ElementCount);
            return;
        }
        if (y.ElementCount == 0) return;
        long[][] strides = [Tensor.ContiguousStrides(shape), Broadcasting.Strides(a, shape), Broadcasting.Strides(b, shape)];
        int[] dims = StridedLayout.Coalesce(shape.Dims, strides);
        if (dims.Length == 0)
        {
            *py = f.Invoke(*pa, *pb);
            return;
        }
        long[] sy = strides[0], sa = strides[1], sb = strides[2];
        int last = dims.Length - 1;
        int length = dims[last];
        long ia = sa[last], ib = sb[last];
        long rows = StridedLayout.RowCount(dims);
        // Work items: groups of whole rows, or pieces of one row when rows are long.
        long piecesPerRow = Math.Max(1, (length + ChunkElements - 1) / ChunkElements);
        long pieceLength = (length + piecesPerRow - 1) / piecesPerRow;
        long rowsPerItem = piecesPerRow > 1 ? 1 : Math.Max(1, ChunkElements / length);
        long items = piecesPerRow > 1 ? rows * piecesPerRow : (rows + rowsPerItem - 1) / rowsPerItem;
        Parallelism.For(checked((int)items), item =>
        {
            long r0, r1, c0, c1;
            if (piecesPerRow > 1)
            {
                r0 = item / piecesPerRow;
                r1 = r0 + 1;
                c0 = item % piecesPerRow * pieceLength;
                c1 = Math.Min(length, c0 + pieceLength);
            }
            else
            {
                r0 = item * rowsPerItem;
                r1 = Math.Min(rows, r0 + rowsPerItem);
                c0 = 0;
                c1 = length;
            }
            var cursor = new RowCursor(dims, sy, sa, sb, r0);
            for (long r = r0; r < r1; r++, cursor.Next())
            {
                float* ry = py + cursor.Offset0 + c0;
                float* ra = pa + cursor.Offset1 + c0 * ia;
                float* rb = pb + cursor.Offset2 + c0 * ib;
                long n = c1 - c0;
                if (ia == 1 && ib == 1) BinaryKernel.Apply(f, ra, rb, ry, n);
                else if (ia == 1 && ib == 0) UnaryKernel.Apply(new BoundRight<TOp>(f, *rb), ra, ry, n);
                else if (ia == 0 && ib == 1) UnaryKernel.Apply(new BoundLeft<TOp>(f, *ra), rb, ry, n);
                else for (long i = 0; i < n; i++) ry[i] = f.Invoke(ra[i * ia], rb[i * ib]);
            }
        });
    }
}
