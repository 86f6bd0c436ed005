namespace Atelier.Tensors.Kernels;

/// <summary>
/// The one small matrix product inside every attention tile, forward and backward:
/// <c>C[r, l] = (accumulate ? C[r, l] : 0) + Σ_k A(r, k) · B[k, l]</c> for r &lt; rows, k &lt; depth, l &lt; lanes.
/// A is read one element at a time (broadcast), through any pair of strides, so K, V, P or dS serve as A
/// directly or transposed; B and C are row-major with contiguous lanes. Every SIMD path accumulates over k in
/// ascending order with one fused multiply-add per step; the scalar path (the definition) multiplies then adds,
/// so the paths differ by rounding only.
/// </summary>
/// <remarks>
/// A(r, k) = <c>a[r * aRowStride + k * aColStride]</c>, B[k, l] = <c>b[k * bRowStride + l]</c>,
/// C[r, l] = <c>c[r * cRowStride + l]</c>. The vector paths need <c>lanes % <see cref="LaneAlign"/> == 0</c>;
/// callers pad their lane dimension with zeros.
/// </remarks>
internal static unsafe partial class AttentionTile
{
    /// <summary>Lane counts handed to the vector paths are multiples of this (one Vector512 of float).</summary>
    public const int LaneAlign = 16;

    public static void MultiplyAdd(AttentionIsa isa, int rows, int depth, int lanes,
        float* a, long aRowStride, long aColStride, float* b, long bRowStride, float* c, long cRowStride, bool accumulate)
    {
        switch (isa)
        {
            case AttentionIsa.Vector512:
                CheckLanes(lanes);
                MultiplyAdd512(rows, depth, lanes, a, aRowStride, aColStride, b, bRowStride, c, cRowStride, accumulate);
                break;
            case AttentionIsa.Vector256:
                CheckLanes(lanes);
                MultiplyAdd256(rows, depth, lanes, a, aRowStride, aColStride, b, bRowStride, c, cRowStride, accumulate);
                break;
            default:
                MultiplyAddReference(rows, depth, lanes, a, aRowStride, aColStride, b, bRowStride, c, cRowStride, accumulate);
                break;
        }
    }

    /// <summary>The definition, and the scalar path: per element, k ascending, multiply then add.</summary>
    public static void MultiplyAddReference(int rows, int depth, int lanes,
        float* a, long aRowStride, long aColStride, float* b, long bRowStride, float* c, long cRowStride, bool accumulate)
    {
        for (int r = 0; r < rows; r++)
        {
            float* cr = c + r * cRowStride;
            if (!accumulate) new Span<float>(cr, lanes).Clear();
            float* ar = a + r * aRowStride;
            for (int k = 0; k < depth; k++)
            {
                float ark = ar[k * aColStride];
                float* bk = b + k * bRowStride;
                for (int l = 0; l < lanes; l++)
                    cr[l] += ark * bk[l];
            }
        }
    }

    private static void CheckLanes(int lanes)
    {
        if (lanes % LaneAlign != 0)
            throw new ArgumentException($"attention tile: {lanes} lanes is not a multiple of {LaneAlign}; the vector paths need padded lanes.", nameof(lanes));
    }
}
