namespace Atelier.Tensors.Kernels;

/// <summary>
/// Strides (in elements) of a float32 [B, H, N, D] attention operand whose last dimension is contiguous.
/// A [B, N, H*D] projection output is addressed without a copy: BatchStride = N*H*D, HeadStride = D,
/// RowStride = H*D.
/// </summary>
internal readonly record struct AttentionLayout(long BatchStride, long HeadStride, long RowStride)
{
    /// <summary>Layout of a contiguous [B, H, N, D] tensor.</summary>
    public static AttentionLayout Contiguous(int heads, int rows, int dim) => new((long)heads * rows * dim, (long)rows * dim, dim);

    /// <summary>Layout of a contiguous [B, N, H*D] tensor viewed as heads.</summary>
    public static AttentionLayout Interleaved(int heads, int rows, int dim) => new((long)rows * heads * dim, dim, (long)heads * dim);
}
