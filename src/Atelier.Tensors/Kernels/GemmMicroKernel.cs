namespace Atelier.Tensors.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel: one MR x NR tile of C from packed panels,
/// <c>c[i, j] = (load ? scale * c[i, j] : 0) + Σ_p a[p * MR + i] · b[p * NR + j]</c>, reduced over p in
/// ascending order with one fused multiply-add per step (scalar kernels: multiply then add).
/// Because every kernel of one arithmetic kind reduces each element the same way, tile shapes and
/// the split of C over threads never change a result.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Rows of the C tile (A panel width).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the C tile (B panel width).</summary>
    static abstract int NR { get; }

    /// <summary>Depth of one packed block: KC·NR floats of B stay in L1 while A panels stream past.</summary>
    static abstract int KC { get; }

    /// <summary>Largest A block in rows (MC): MC·KC floats stay in L2.</summary>
    static abstract int MC { get; }

    /// <summary>True when the kernel fuses multiply and add (vector kernels); the small path must match it.</summary>
    static abstract bool Fused { get; }

    static abstract void Run(int kc, float* a, float* b, float* c, long ldc, bool load, float scale);
}
