using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// Gated GELU of one element pair, (value, gate) ↦ value · GELU(gate) with the exact GELU of
/// <see cref="GeluOperator"/>: the same float operations as <c>value.Mul(gate.Gelu())</c>, so the fused op gives
/// bit-identical results.
/// </summary>
internal readonly struct GegluOperator : IBinaryOperator
{
    public float Invoke(float value, float gate) => value * new GeluOperator().Invoke(gate);
    public Vector256<float> Invoke(Vector256<float> value, Vector256<float> gate) => value * new GeluOperator().Invoke(gate);
    public Vector512<float> Invoke(Vector512<float> value, Vector512<float> gate) => value * new GeluOperator().Invoke(gate);
}

/// <summary>
/// GEGLU over rows: x [rows, 2·d] → y [rows, d], y[r, j] = x[r, j] · GELU(x[r, d + j]) — the two halves are read in
/// place, neither is materialised. Parallel over groups of whole rows (each element is computed alone, so the
/// split never changes results).
/// </summary>
internal static unsafe class GegluKernel
{
    public static void Forward(float* x, float* y, long rows, int d)
    {
        if (rows == 0 || d == 0) return;
        long rowsPerItem = Math.Max(1, Elementwise.ChunkElements / d);
        int items = checked((int)((rows + rowsPerItem - 1) / rowsPerItem));
        Parallelism.For(items, item =>
        {
            long r1 = Math.Min(rows, (item + 1) * rowsPerItem);
            for (long r = item * rowsPerItem; r < r1; r++)
                BinaryKernel.Apply(new GegluOperator(), x + r * 2 * d, x + r * 2 * d + d, y + r * d, d);
        });
    }

    /// <summary>The definition: element by element through the scalar operator.</summary>
    public static void ForwardReference(float* x, float* y, long rows, int d)
    {
        for (long r = 0; r < rows; r++)
            for (int j = 0; j < d; j++)
                y[r * d + j] = new GegluOperator().Invoke(x[r * 2 * d + j], x[r * 2 * d + d + j]);
    }
}
