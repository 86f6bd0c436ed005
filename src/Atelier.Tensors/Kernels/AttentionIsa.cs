using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// The instruction-set paths of the attention kernels. <see cref="Scalar"/> runs everywhere and is what
/// <c>DOTNET_EnableHWIntrinsic=0</c> selects; the vector paths are chosen when the CPU runs them natively.
/// </summary>
internal enum AttentionIsa
{
    Scalar,
    Vector256,
    Vector512,
}

internal static class AttentionIsaSupport
{
    /// <summary>The widest path this process can run natively.</summary>
    public static AttentionIsa Best { get; } =
        IsSupported(AttentionIsa.Vector512) ? AttentionIsa.Vector512 :
        IsSupported(AttentionIsa.Vector256) ? AttentionIsa.Vector256 :
        AttentionIsa.Scalar;

    /// <summary>
    /// Vector512 needs AVX-512F (its exp uses <c>vscalefps</c>); Vector256 needs AVX2 + FMA, otherwise
    /// <see cref="Vector256.FusedMultiplyAdd{T}"/> would be emulated in software.
    /// </summary>
    public static bool IsSupported(AttentionIsa isa) => isa switch
    {
        AttentionIsa.Scalar => true,
        AttentionIsa.Vector256 => Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported,
        AttentionIsa.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
        _ => false,
    };

    /// <summary>Throws when a caller (a test, a benchmark) asks for a path this CPU cannot run.</summary>
    public static void Require(AttentionIsa isa)
    {
        if (!IsSupported(isa))
            throw new PlatformNotSupportedException($"attention: the {isa} path is not supported on this CPU (best available: {Best}).");
    }
}
