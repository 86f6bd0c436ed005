namespace Atelier.Tensors.Kernels;

/// <summary>
/// Helpers for walking strided operands that share one iteration shape: dimension coalescing and a cursor over
/// "rows" (all dimensions but the innermost). Every strided kernel reduces its work to rows of the innermost
/// dimension, where the contiguous fast paths apply.
/// </summary>
internal static class StridedLayout
{
    /// <summary>
    /// Drops size-1 dimensions and merges neighbours that are contiguous in every operand, so a contiguous tensor
    /// becomes one row and a bias broadcast [B, C, H, W] + [C, 1, 1] becomes [B, C, H·W]. Returns the new
    /// dimensions; <paramref name="strides"/> are replaced by the matching strides (same operand order).
    /// </summary>
    public static int[] Coalesce(ReadOnlySpan<int> dims, long[][] strides)
    {
        var outDims = new List<int>(dims.Length);
        var outStrides = new List<long>[strides.Length];
        for (int k = 0; k < strides.Length; k++) outStrides[k] = new List<long>(dims.Length);
        // Walk from the innermost dimension outwards, merging into the last kept one when possible.
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            int d = dims[i];
            if (d == 1) continue;
            if (outDims.Count > 0)
            {
                int last = outDims.Count - 1;
                bool mergeable = true;
                for (int k = 0; k < strides.Length && mergeable; k++)
                    mergeable = strides[k][i] == outStrides[k][last] * outDims[last];
                if (mergeable)
                {
                    outDims[last] = checked(outDims[last] * d);
                    continue;
                }
            }
            outDims.Add(d);
            for (int k = 0; k < strides.Length; k++) outStrides[k].Add(strides[k][i]);
        }
        outDims.Reverse();
        for (int k = 0; k < strides.Length; k++)
        {
            outStrides[k].Reverse();
            strides[k] = outStrides[k].ToArray();
        }
        return outDims.ToArray();
    }

    /// <summary>Number of rows (product of all dimensions but the last; 1 for rank 0 or 1).</summary>
    public static long RowCount(int[] dims)
    {
        long rows = 1;
        for (int i = 0; i < dims.Length - 1; i++) rows *= dims[i];
        return rows;
    }
}

/// <summary>
/// Cursor over the rows of up to three strided operands (the outer dimensions; the innermost is the row).
/// Starts at any row so parallel chunks can begin anywhere; <see cref="Next"/> advances by one row.
/// </summary>
internal struct RowCursor
{
    private readonly int[] _dims;
    private readonly long[] _s0;
    private readonly long[]? _s1;
    private readonly long[]? _s2;
    private readonly int[] _index;
    public long Offset0;
    public long Offset1;
    public long Offset2;

    /// <param name="dims">The full (coalesced) dimensions; the last one is the row and is not walked.</param>
    public RowCursor(int[] dims, long[] s0, long[]? s1, long[]? s2, long startRow)
    {
        _dims = dims;
        _s0 = s0;
        _s1 = s1;
        _s2 = s2;
        int outer = Math.Max(0, dims.Length - 1);
        _index = new int[outer];
        Offset0 = Offset1 = Offset2 = 0;
        long r = startRow;
        for (int i = outer - 1; i >= 0; i--)
        {
            int idx = (int)(r % dims[i]);
            r /= dims[i];
            _index[i] = idx;
            Offset0 += idx * s0[i];
            if (s1 is not null) Offset1 += idx * s1[i];
            if (s2 is not null) Offset2 += idx * s2[i];
        }
    }

    public void Next()
    {
        for (int i = _index.Length - 1; i >= 0; i--)
        {
            Offset0 += _s0[i];
            if (_s1 is not null) Offset1 += _s1[i];
            if (_s2 is not null) Offset2 += _s2[i];
            if (++_index[i] < _dims[i]) return;
            Offset0 -= _s0[i] * _dims[i];
            if (_s1 is not null) Offset1 -= _s1[i] * _dims[i];
            if (_s2 is not null) Offset2 -= _s2[i] * _dims[i];
            _index[i] = 0;
        }
    }
}
