namespace Atelier.Tensors;

/// <summary>
/// PyTorch's <c>uniform_real_distribution</c> on [0, 1) (<c>transformation::uniform_real</c> in
/// <c>aten/src/ATen/core/TransformationHelper.h</c>): keep as many low bits of a raw draw as the type has significand
/// bits and scale by 2^-digits. Exact, so identical everywhere; 1.0 is never produced.
/// </summary>
internal static class TorchUniform
{
    private const uint FloatMask = (1u << 24) - 1;
    private const float FloatScale = 1f / (1 << 24);
    private const ulong DoubleMask = (1ul << 53) - 1;
    private const double DoubleScale = 1.0 / (1ul << 53);

    /// <summary>float: the low 24 bits of one 32-bit draw, times 2^-24.</summary>
    public static float NextFloat(MersenneTwister19937 engine) => (engine.NextUInt32() & FloatMask) * FloatScale;

    /// <summary>double: the low 53 bits of one 64-bit draw (two 32-bit draws, first one high), times 2^-53.</summary>
    public static double NextDouble(MersenneTwister19937 engine) => (engine.NextUInt64() & DoubleMask) * DoubleScale;
}
