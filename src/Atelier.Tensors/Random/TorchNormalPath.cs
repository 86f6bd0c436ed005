namespace Atelier.Tensors;

/// <summary>
/// Which of PyTorch's CPU kernels for float32 normal draws of 16 or more elements to reproduce
/// (<c>normal_kernel</c> in <c>aten/src/ATen/native/cpu/DistributionTemplates.h</c>). Both consume the generator identically
/// (one 32-bit draw per element, plus 16 for a ragged tail); they differ only in how log, cos and sin are evaluated, so
/// their values differ by an ulp or two in a fraction of the elements. Tensors of fewer than 16 elements use the same
/// double-precision path in both.
/// </summary>
public enum TorchNormalPath
{
    /// <summary>
    /// <c>normal_fill_AVX2</c>: what x86-64 PyTorch builds run on a CPU with AVX2 (AVX-512 CPUs too: 1.13 routes normal
    /// draws to the AVX2 kernel, 2.x compiles the same 256-bit code into its AVX-512 kernel) — the case of diffusers users on
    /// a PC or Linux server, and of our fixtures. Reproduced bit for bit with plain float operations, so identical on every
    /// machine.
    /// </summary>
    Avx2,

    /// <summary>
    /// <c>normal_fill</c> with <c>std::log</c>/<c>std::cos</c>/<c>std::sin</c> in float: PyTorch without AVX2 (ARM64 such
    /// as Apple silicon, or <c>ATEN_CPU_CAPABILITY=default</c>). Evaluated here with <see cref="MathF"/>, i.e. the platform
    /// C library; bit-identical to PyTorch only where both use the same libm (Linux glibc), otherwise within an ulp.
    /// </summary>
    Scalar,
}
