using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// Widening of the half-precision storage types to float32, scalar and vectorised. .NET exposes no
/// vcvtph2ps / bf16 intrinsics, so the vector paths work on the bits. Both conversions are exact:
/// every F16 and BF16 value (normal, subnormal, ±0, ±∞, NaN with its payload) has a float32 twin;
/// F16 signalling NaNs come out quiet, as with the hardware instruction and .NET's (float)Half.
/// </summary>
internal static unsafe class HalfConversion
{
    // 2^112 = 2^(127 - 15): rebiases a half exponent placed in float position (IEEE 754 binary16 → binary32).
    private const uint Rebias = 0x77800000;

    /// <summary>F16 bits → float32 (the definition the vector paths are tested against).</summary>
    public static float HalfToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>BF16 bits → float32: bfloat16 is the upper half of a float32.</summary>
    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Widens 16 F16 values (in the low 16 bits of each lane) to float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> HalfToSingle(Vector512<uint> h)
    {
        Vector512<uint> sign = (h & Vector512.Create(0x8000u)) << 16;
        Vector512<uint> em = h & Vector512.Create(0x7FFFu);
        Vector512<uint> shifted = em << 13;
        // Normal and subnormal halves: the exponent lands in float position and one multiply by 2^112
        // rebiases it (a half subnormal becomes a float subnormal, which the multiply normalises exactly).
        Vector512<float> finite = shifted.AsSingle() * Vector512.Create(Rebias).AsSingle();
        // Infinity and NaN: all-ones exponent, mantissa (NaN payload) kept, NaNs quieted as vcvtph2ps does.
        Vector512<float> special = (shifted | Vector512.Create(0x7F800000u)
            | (Vector512.GreaterThan(em, Vector512.Create(0x7C00u)) & Vector512.Create(0x00400000u))).AsSingle();
        Vector512<float> magnitude = Vector512.ConditionalSelect(
            Vector512.GreaterThanOrEqual(em, Vector512.Create(0x7C00u)).AsSingle(), special, finite);
        return (magnitude.AsUInt32() | sign).AsSingle();
    }

    /// <summary>Widens 8 F16 values (in the low 16 bits of each lane) to float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> HalfToSingle(Vector256<uint> h)
    {
        Vector256<uint> sign = (h & Vector256.Create(0x8000u)) << 16;
        Vector256<uint> em = h & Vector256.Create(0x7FFFu);
        Vector256<uint> shifted = em << 13;
        Vector256<float> finite = shifted.AsSingle() * Vector256.Create(Rebias).AsSingle();
        Vector256<float> special = (shifted | Vector256.Create(0x7F800000u)
            | (Vector256.GreaterThan(em, Vector256.Create(0x7C00u)) & Vector256.Create(0x00400000u))).AsSingle();
        Vector256<float> magnitude = Vector256.ConditionalSelect(
            Vector256.GreaterThanOrEqual(em, Vector256.Create(0x7C00u)).AsSingle(), special, finite);
        return (magnitude.AsUInt32() | sign).AsSingle();
    }

    /// <summary>Loads 16 F16 or BF16 values at <paramref name="src"/> and widens them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load16(ushort* src, DType type)
    {
        Vector512<uint> wide = Vector512.WidenLower(Vector512.Create(Vector256.Load(src), Vector256<ushort>.Zero));
        return type == DType.BF16 ? (wide << 16).AsSingle() : HalfToSingle(wide);
    }

    /// <summary>Loads 8 F16 or BF16 values at <paramref name="src"/> and widens them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load8(ushort* src, DType type)
    {
        Vector256<uint> wide = Vector256.WidenLower(Vector256.Create(Vector128.Load(src), Vector128<ushort>.Zero));
        return type == DType.BF16 ? (wide << 16).AsSingle() : HalfToSingle(wide);
    }

    /// <summary>Widens <paramref name="count"/> F16 or BF16 values to float32 (vectorised where the hardware allows).</summary>
    public static void Widen(ushort* src, float* dst, int count, DType type)
    {
        if (type is not (DType.F16 or DType.BF16))
            throw new ArgumentException($"HalfConversion.Widen: dtype {type} is not a half type (expected F16 or BF16).", nameof(type));
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= count - 16; i += 16) Load16(src + i, type).Store(dst + i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= count - 8; i += 8) Load8(src + i, type).Store(dst + i);
        if (type == DType.BF16)
            for (; i < count; i++) dst[i] = BFloat16ToSingle(src[i]);
        else
            for (; i < count; i++) dst[i] = HalfToSingle(src[i]);
    }
}
