using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

internal static unsafe partial class Gemm
{
    /// <summary>
    /// Small problems: no packing, no threads. Row i of C is updated as <c>c[i,:] += (alpha·a[i,p]) · b[p,:]</c>
    /// for p ascending, i.e. the same chain of multiply-adds per element as the blocked path, so the result
    /// does not depend on which path a size falls into.
    /// </summary>
    private static void Small(KernelIsa isa, in MatrixView a, in MatrixView b, float* c, long ldc, float alpha, float beta)
    {
        int m = a.Rows, n = b.Cols, k = a.Cols;
        if (m == 0 || n == 0) return;
        if (k == 0) { GemmDriver.ScaleC(m, n, c, ldc, beta); return; }
        bool fused = IsFused(isa);
        bool vectorRows = fused && b.Type == DType.F32 && b.ColStride == 1;
        float[]? bRowArray = vectorRows ? null : new float[n];
        fixed (float* bRow = bRowArray)
        for (int i = 0; i < m; i++)
        {
            float* ci = c + i * ldc;
            for (int j = 0; j < n; j++) ci[j] = beta == 0f ? 0f : beta * ci[j];
            for (int p = 0; p < k; p++)
            {
                float ap = alpha * a[i, p];
                float* bp;
                if (vectorRows) bp = (float*)b.Data + p * b.RowStride;
                else
                {
                    for (int j = 0; j < n; j++) bRow[j] = b[p, j];
                    bp = bRow;
                }
                int j0 = 0;
                if (fused)
                {
                    if (Vector256.IsHardwareAccelerated)
                    {
                        var av = Vector256.Create(ap);
                        for (; j0 <= n - 8; j0 += 8)
                            Vector256.FusedMultiplyAdd(av, Vector256.Load(bp + j0), Vector256.Load(ci + j0)).Store(ci + j0);
                    }
                    for (; j0 < n; j0++) ci[j0] = MathF.FusedMultiplyAdd(ap, bp[j0], ci[j0]);
                }
                else
                    for (; j0 < n; j0++) ci[j0] += ap * bp[j0];
            }
        }
    }
}
