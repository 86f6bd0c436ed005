using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// Element type conversion of contiguous runs. Widening F16/BF16 → F32 is exact and has Vector512/Vector256 paths
/// (bit manipulation, identical to the scalar reference); F32 → BF16 rounds to nearest even (vectorised);
/// everything else goes through the scalar definition: float types round to nearest, float → integer truncates
/// toward zero (NaN/∞ → unspecified value, as in PyTorch), anything → Bool is != 0.
/// </summary>
internal static unsafe class CastKernel
{
    private const uint Pow2To112 = 0x77800000; // 2^112 as float bits: rebias an f16 exponent (15) to f32 (127).

    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Round to nearest even; NaN stays NaN (quiet).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ushort SingleToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        bits += 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }

    /// <summary>Converts <paramref name="n"/> contiguous elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Convert(byte* src, DType srcType, byte* dst, DType dstType, long n)
    {
        if (n <= 0) return;
        if (srcType == dstType)
        {
            long bytes = n * srcType.Size();
            Buffer.MemoryCopy(src, dst, bytes, bytes);
            return;
        }
        switch (srcType, dstType)
        {
            case (DType.F16, DType.F32): HalfToSingle((ushort*)src, (float*)dst, n); return;
            case (DType.BF16, DType.F32): BFloat16ToSingle((ushort*)src, (float*)dst, n); return;
            case (DType.F32, DType.BF16): SingleToBFloat16((float*)src, (ushort*)dst, n); return;
            case (DType.F32, DType.F16):
                for (long i = 0; i < n; i++) ((Half*)dst)[i] = (Half)((float*)src)[i];
                return;
            default:
                for (long i = 0; i < n; i++) ElementAccess.Write(dst, dstType, i, ElementAccess.Read(src, srcType, i));
                return;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HalfToSingleScalar(ushort* src, float* dst, long n)
    {
        for (long i = 0; i < n; i++) dst[i] = (float)BitConverter.UInt16BitsToHalf(src[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HalfToSingle(ushort* src, float* dst, long n)
    {
        long i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 32; i += 32)
            {
                var h = Vector512.Load(src + i);
                Vector512.Store(HalfBitsToSingle(Vector512.WidenLower(h)), dst + i);
                Vector512.Store(HalfBitsToSingle(Vector512.WidenUpper(h)), dst + i + 16);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var h = Vector256.Load(src + i);
                Vector256.Store(HalfBitsToSingle(Vector256.WidenLower(h)), dst + i);
                Vector256.Store(HalfBitsToSingle(Vector256.WidenUpper(h)), dst + i + 8);
            }
        }
        HalfToSingleScalar(src + i, dst + i, n - i);
    }

    // f16 bits (in the low half of each lane) → f32: shift the exponent/mantissa into place and multiply by 2^112,
    // which rebiases normals and turns f16 subnormals (f32 subnormals after the shift) into normals exactly;
    // Inf/NaN get the all-ones f32 exponent; the sign is OR-ed back.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> HalfBitsToSingle(Vector512<uint> h)
    {
        var em = h & Vector512.Create(0x7FFFu);
        var sign = (h & Vector512.Create(0x8000u)) << 16;
        var shifted = em << 13;
        var scaled = (shifted.AsSingle() * Vector512.Create(Pow2To112).AsSingle()).AsUInt32();
        var infNan = Vector512.GreaterThanOrEqual(em, Vector512.Create(0x7C00u));
        var bits = Vector512.ConditionalSelect(infNan, shifted | Vector512.Create(0x7F800000u), scaled);
        return (bits | sign).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> HalfBitsToSingle(Vector256<uint> h)
    {
        var em = h & Vector256.Create(0x7FFFu);
        var sign = (h & Vector256.Create(0x8000u)) << 16;
        var shifted = em << 13;
        var scaled = (shifted.AsSingle() * Vector256.Create(Pow2To112).AsSingle()).AsUInt32();
        var infNan = Vector256.GreaterThanOrEqual(em, Vector256.Create(0x7C00u));
        var bits = Vector256.ConditionalSelect(infNan, shifted | Vector256.Create(0x7F800000u), scaled);
        return (bits | sign).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BFloat16ToSingleScalar(ushort* src, float* dst, long n)
    {
        for (long i = 0; i < n; i++) dst[i] = BFloat16ToSingle(src[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BFloat16ToSingle(ushort* src, float* dst, long n)
    {
        long i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 32; i += 32)
            {
                var h = Vector512.Load(src + i);
                Vector512.Store((Vector512.WidenLower(h) << 16).AsSingle(), dst + i);
                Vector512.Store((Vector512.WidenUpper(h) << 16).AsSingle(), dst + i + 16);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
            {
                var h = Vector256.Load(src + i);
                Vector256.Store((Vector256.WidenLower(h) << 16).AsSingle(), dst + i);
                Vector256.Store((Vector256.WidenUpper(h) << 16).AsSingle(), dst + i + 8);
            }
        }
        BFloat16ToSingleScalar(src + i, dst + i, n - i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SingleToBFloat16Scalar(float* src, ushort* dst, long n)
    {
        for (long i = 0; i < n; i++) dst[i] = SingleToBFloat16(src[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SingleToBFloat16(float* src, ushort* dst, long n)
    {
        long i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 32; i += 32)
            {
                var lo = RoundToBFloat16(Vector512.Load(src + i));
                var hi = RoundToBFloat16(Vector512.Load(src + i + 16));
                Vector512.Store(Vector512.Narrow(lo, hi), dst + i);
            }
        }
        SingleToBFloat16Scalar(src + i, dst + i, n - i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> RoundToBFloat16(Vector512<float> x)
    {
        var bits = x.AsUInt32();
        var rounded = (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One)) >> 16;
        var nan = (bits >> 16) | Vector512.Create(0x40u);
        return Vector512.ConditionalSelect(Vector512.IsNaN(x).AsUInt32(), nan, rounded);
    }
}
