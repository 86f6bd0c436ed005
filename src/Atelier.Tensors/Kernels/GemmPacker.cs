namespace Atelier.Tensors.Kernels;

/// <summary>
/// Produces the packed panels a GEMM micro-kernel reads. An operand is seen as "lanes" (rows of A, columns
/// of B) along "depth" (the reduction index k). A panel holds <c>width</c> lanes over <c>kc</c> steps of depth,
/// laid out <c>dst[p * width + lane]</c>, float32, so the kernel reads it strictly sequentially.
/// Implementations are structs so the JIT specialises the GEMM driver for each (no virtual calls).
/// </summary>
internal unsafe interface IGemmPacker
{
    /// <summary>
    /// Packs lanes [lane0, lane0 + count) over depth [k0, k0 + kc) into ⌈count / width⌉ consecutive panels of
    /// kc·width floats each (panel q holds lanes lane0 + q·width …); lanes past count in the last panel are zero.
    /// Packing several panels in one call lets a packer walk memory in its natural order.
    /// </summary>
    void Pack(int lane0, int count, int k0, int kc, float* dst, int width);
}
