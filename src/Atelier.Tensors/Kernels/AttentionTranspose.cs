using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// The two transposes around a query block: rows of an operand (queries, D contiguous) into the lane layout
/// [D, lanes] the tiles work in, and back. Both vector paths use the AVX2 gather (one column of 8 rows per
/// instruction; .NET has no 512-bit gather); a scalar loop here would cost as much as the products themselves
/// when Nk is small (cross-attention to 77 tokens).
/// </summary>
internal static unsafe class AttentionTranspose
{
    /// <summary>
    /// dst[c, r] = factor · src[r, c] for r &lt; rows, c &lt; cols; dst[c, r] = 0 for rows ≤ r &lt; lanes.
    /// src rows are <paramref name="srcRowStride"/> apart; dst rows are <paramref name="lanes"/> apart, and
    /// lanes ≥ rows rounded up to 8.
    /// </summary>
    public static void ToLanes(AttentionIsa isa, float* src, long srcRowStride, int rows, int cols, float factor, float* dst, int lanes)
    {
        int r0 = 0;
        if (isa != AttentionIsa.Scalar && Avx2.IsSupported && srcRowStride * 7 <= int.MaxValue)
            for (; r0 < rows; r0 += 8) ToLanes8(src + r0 * srcRowStride, srcRowStride, Math.Min(8, rows - r0), cols, factor, dst + r0, lanes);
        for (int r = r0; r < rows; r++)
        {
            float* row = src + r * srcRowStride;
            for (int c = 0; c < cols; c++) dst[(long)c * lanes + r] = factor * row[c];
        }
        int padFrom = Math.Max(rows, r0);
        for (int c = 0; c < cols; c++)
            new Span<float>(dst + (long)c * lanes + padFrom, lanes - padFrom).Clear();
    }

    /// <summary>
    /// dst[r, c] = src[c, r] · s[r] for r &lt; rows, c &lt; cols, where s[r] = rowScale[r], or
    /// <paramref name="uniformScale"/> when rowScale is null: lanes back to rows. src rows are
    /// <paramref name="lanes"/> apart (at least <paramref name="cols"/> of them), dst rows <paramref name="dstRowStride"/>.
    /// </summary>
    public static void FromLanes(AttentionIsa isa, float* src, int lanes, int rows, int cols, float* rowScale, float uniformScale,
        float* dst, long dstRowStride)
    {
        bool gather = isa != AttentionIsa.Scalar && Avx2.IsSupported && (long)lanes * cols <= int.MaxValue;
        Vector256<int> index = Vector256<int>.Indices * lanes;
        for (int r = 0; r < rows; r++)
        {
            float* row = dst + r * dstRowStride;
            float scale = rowScale is null ? uniformScale : rowScale[r];
            int c = 0;
            if (gather)
                for (; c + 8 <= cols; c += 8)
                    (Avx2.GatherVector256(src + (long)c * lanes + r, index, 4) * scale).Store(row + c);
            for (; c < cols; c++) row[c] = src[(long)c * lanes + r] * scale;
        }
    }

    // A group of up to 8 rows: lanes past 'count' read row 0 again (valid memory) and are zeroed.
    private static void ToLanes8(float* src, long srcRowStride, int count, int cols, float factor, float* dst, int lanes)
    {
        Vector256<int> lane = Vector256<int>.Indices;
        Vector256<int> valid = Vector256.LessThan(lane, Vector256.Create(count));
        Vector256<int> index = (lane * (int)srcRowStride) & valid;
        Vector256<float> scale = Vector256.Create(factor);
        for (int c = 0; c < cols; c++)
            ((Avx2.GatherVector256(src + c, index, 4) * scale) & valid.AsSingle()).Store(dst + (long)c * lanes);
    }
}
