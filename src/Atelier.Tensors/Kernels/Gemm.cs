namespace Atelier.Tensors.Kernels;

/// <summary>
/// General matrix multiply, float32 accumulate: <c>C = alpha * A·B + beta * C</c> with A [M,K], B [K,N]
/// given as strided views (any dtype of <see cref="MatrixView"/>), C row-major float32 with leading
/// dimension ldc. Deterministic: every C element is reduced over K in the same order whatever the
/// thread count.
/// </summary>
internal static unsafe partial class Gemm
{
    public static void Multiply(in MatrixView a, in MatrixView b, float* c, long ldc, float alpha = 1f, float beta = 0f)
    {
        Check(a, b);
        Reference(a, b, c, ldc, alpha, beta);
    }

    /// <summary>Batched form: operand i starts at Data + i * batchStride (in elements).</summary>
    public static void MultiplyBatched(int batch, in MatrixView a, long batchStrideA, in MatrixView b, long batchStrideB,
        float* c, long ldc, long batchStrideC, float alpha = 1f, float beta = 0f)
    {
        Check(a, b);
        int sa = a.Type.Size(), sb = b.Type.Size();
        for (int i = 0; i < batch; i++)
        {
            var ai = new MatrixView((byte*)a.Data + i * batchStrideA * sa, a.Type, a.Rows, a.Cols, a.RowStride, a.ColStride);
            var bi = new MatrixView((byte*)b.Data + i * batchStrideB * sb, b.Type, b.Rows, b.Cols, b.RowStride, b.ColStride);
            Reference(ai, bi, c + i * batchStrideC, ldc, alpha, beta);
        }
    }

    /// <summary>The definition: naive triple loop, K reduced in ascending order. Tests compare every fast path to it.</summary>
    public static void Reference(in MatrixView a, in MatrixView b, float* c, long ldc, float alpha, float beta)
    {
        int m = a.Rows, n = b.Cols, k = a.Cols;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                    sum += a[i, p] * b[p, j];
                float* cij = c + i * ldc + j;
                *cij = beta == 0f ? alpha * sum : alpha * sum + beta * *cij;
            }
    }

    private static void Check(in MatrixView a, in MatrixView b)
    {
        if (a.Cols != b.Rows)
            throw new ArgumentException($"gemm: inner dimensions differ: A is [{a.Rows}, {a.Cols}], B is [{b.Rows}, {b.Cols}]; expected A.cols == B.rows.");
    }
}
