using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// Packs a strided operand (any strides, F32/F16/BF16, widened on the fly, optionally scaled) into GEMM panels.
/// Two layouts have vector paths: lanes contiguous (laneStride 1, e.g. B row-major) copy straight across,
/// and depth contiguous (depthStride 1, e.g. A row-major or a transposed weight) go through 16 x 16
/// register transposes. Everything else takes the scalar gather, which is the definition the others match.
/// </summary>
internal readonly unsafe struct StridedPacker : IGemmPacker
{
    private readonly byte* _data;
    private readonly DType _type;
    private readonly long _laneStride;
    private readonly long _depthStride;
    private readonly float _scale;
    private readonly bool _vector512, _vector256;

    /// <param name="isa">Vector paths allowed (the level of the kernel the panels feed; Scalar packs element by element).</param>
    public StridedPacker(void* data, DType type, long laneStride, long depthStride, float scale, KernelIsa isa)
    {
        _data = (byte*)data; _type = type; _laneStride = laneStride; _depthStride = depthStride; _scale = scale;
        _vector512 = isa == KernelIsa.Vector512 && Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
        _vector256 = isa >= KernelIsa.Vector256 && Vector256.IsHardwareAccelerated;
    }

    /// <summary>A's rows as lanes, scaled by alpha (folding alpha into the packed A costs nothing).</summary>
    public static StridedPacker ForA(in MatrixView a, float alpha, KernelIsa isa) => new(a.Data, a.Type, a.RowStride, a.ColStride, alpha, isa);

    /// <summary>B's columns as lanes.</summary>
    public static StridedPacker ForB(in MatrixView b, KernelIsa isa) => new(b.Data, b.Type, b.ColStride, b.RowStride, 1f, isa);

    public void Pack(int lane0, int count, int k0, int kc, float* dst, int width)
    {
        if (_vector512 && _laneStride == 1 && width % 16 == 0)
        {
            PackLaneContiguous512(lane0, count, k0, kc, dst, width);
            return;
        }
        if (_vector256 && _laneStride == 1 && width % 8 == 0)
        {
            PackLaneContiguous256(lane0, count, k0, kc, dst, width);
            return;
        }
        for (int q = 0; q * width < count; q++)
        {
            int lanes = Math.Min(width, count - q * width);
            float* panel = dst + (long)q * kc * width;
            if (_vector512 && _depthStride == 1 && kc >= 16)
                PackDepthContiguous512(lane0 + q * width, lanes, k0, kc, panel, width);
            else
                PackScalar(lane0 + q * width, lanes, k0, 0, kc, panel, width);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Element(long index) => _type switch
    {
        DType.F32 => ((float*)_data)[index],
        DType.F16 => HalfConversion.HalfToSingle(((ushort*)_data)[index]),
        _ => HalfConversion.BFloat16ToSingle(((ushort*)_data)[index]),
    };

    /// <summary>The definition: one element at a time, depth steps [p0, p1) of the panel.</summary>
    private void PackScalar(int lane0, int count, int k0, int p0, int p1, float* dst, int width)
    {
        for (int p = p0; p < p1; p++)
        {
            float* row = dst + (long)p * width;
            long depthOffset = (k0 + p) * _depthStride;
            for (int l = 0; l < count; l++)
                row[l] = Element(depthOffset + (lane0 + l) * _laneStride) * _scale;
            for (int l = count; l < width; l++)
                row[l] = 0f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<float> Load16(long index)
    {
        Vector512<float> v = _type == DType.F32
            ? Vector512.Load((float*)_data + index)
            : HalfConversion.Load16((ushort*)_data + index, _type);
        return _scale == 1f ? v : v * Vector512.Create(_scale);
    }

    /// <summary>Lanes adjacent in memory: each depth step is a run of count values (B row-major, Aᵀ views).
    /// Walks the source row by row (sequential reads) and scatters 16-lane pieces into the panels.</summary>
    private void PackLaneContiguous512(int lane0, int count, int k0, int kc, float* dst, int width)
    {
        long panelStride = (long)kc * width;
        for (int p = 0; p < kc; p++)
        {
            long src = (k0 + p) * _depthStride + lane0;
            float* row = dst + (long)p * width;
            for (int q = 0; q < count; q += width, src += width, row += panelStride)
            {
                int lanes = Math.Min(width, count - q), l = 0;
                for (; l <= lanes - 16; l += 16) Load16(src + l).Store(row + l);
                for (; l < lanes; l++) row[l] = Element(src + l) * _scale;
                for (; l < width; l++) row[l] = 0f;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<float> Load8(long index)
    {
        Vector256<float> v = _type == DType.F32
            ? Vector256.Load((float*)_data + index)
            : HalfConversion.Load8((ushort*)_data + index, _type);
        return _scale == 1f ? v : v * Vector256.Create(_scale);
    }

    /// <summary>As <see cref="PackLaneContiguous512"/>, 8 lanes at a time (AVX2 kernel).</summary>
    private void PackLaneContiguous256(int lane0, int count, int k0, int kc, float* dst, int width)
    {
        long panelStride = (long)kc * width;
        for (int p = 0; p < kc; p++)
        {
            long src = (k0 + p) * _depthStride + lane0;
            float* row = dst + (long)p * width;
            for (int q = 0; q < count; q += width, src += width, row += panelStride)
            {
                int lanes = Math.Min(width, count - q), l = 0;
                for (; l <= lanes - 8; l += 8) Load8(src + l).Store(row + l);
                for (; l < lanes; l++) row[l] = Element(src + l) * _scale;
                for (; l < width; l++) row[l] = 0f;
            }
        }
    }

    /// <summary>Depth adjacent in memory: each lane is a run along k (A row-major, Bᵀ views such as x·Wᵀ).
    /// 16 lanes x 16 steps are loaded, transposed in registers and stored as 16 panel rows.</summary>
    private void PackDepthContiguous512(int lane0, int count, int k0, int kc, float* dst, int width)
    {
        float* block = stackalloc float[16 * 16];
        int pFull = kc & ~15;
        for (int g = 0; g < width; g += 16)
        {
            int lanes = Math.Clamp(count - g, 0, 16);   // real lanes in this group of 16
            int store = Math.Min(16, width - g);         // panel columns this group fills
            // Mask of the first `store` columns: a narrow panel (MR = 14) never writes past its own row.
            Vector512<float> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(store)).AsSingle();
            for (int p = 0; p < pFull; p += 16)
            {
                for (int l = 0; l < lanes; l++)
                    Load16((lane0 + g + l) * _laneStride + k0 + p).Store(block + l * 16);
                for (int l = lanes; l < 16; l++)
                    Vector512<float>.Zero.Store(block + l * 16);
                Transpose16x16(block);
                float* d = dst + (long)p * width + g;
                if (store == 16)
                    for (int r = 0; r < 16; r++) Vector512.Load(block + r * 16).Store(d + (long)r * width);
                else
                    for (int r = 0; r < 16; r++) Avx512F.MaskStore(d + (long)r * width, mask, Vector512.Load(block + r * 16));
            }
        }
        if (pFull < kc) PackScalar(lane0, count, k0, pFull, kc, dst, width);
    }

    /// <summary>In-place transpose of a row-major 16 x 16 float block (four shuffle stages).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose16x16(float* m)
    {
        Vector512<float> r0 = Vector512.Load(m), r1 = Vector512.Load(m + 16), r2 = Vector512.Load(m + 32), r3 = Vector512.Load(m + 48);
        Vector512<float> r4 = Vector512.Load(m + 64), r5 = Vector512.Load(m + 80), r6 = Vector512.Load(m + 96), r7 = Vector512.Load(m + 112);
        Vector512<float> r8 = Vector512.Load(m + 128), r9 = Vector512.Load(m + 144), r10 = Vector512.Load(m + 160), r11 = Vector512.Load(m + 176);
        Vector512<float> r12 = Vector512.Load(m + 192), r13 = Vector512.Load(m + 208), r14 = Vector512.Load(m + 224), r15 = Vector512.Load(m + 240);

        // Stage 1: interleave pairs of rows (32-bit elements).
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<float> t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<float> t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9);
        Vector512<float> t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13);
        Vector512<float> t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);

        // Stage 2: interleave 64-bit pairs.
        Vector512<float> u0 = Lo64(t0, t2), u1 = Hi64(t0, t2), u2 = Lo64(t1, t3), u3 = Hi64(t1, t3);
        Vector512<float> u4 = Lo64(t4, t6), u5 = Hi64(t4, t6), u6 = Lo64(t5, t7), u7 = Hi64(t5, t7);
        Vector512<float> u8 = Lo64(t8, t10), u9 = Hi64(t8, t10), u10 = Lo64(t9, t11), u11 = Hi64(t9, t11);
        Vector512<float> u12 = Lo64(t12, t14), u13 = Hi64(t12, t14), u14 = Lo64(t13, t15), u15 = Hi64(t13, t15);

        // Stage 3 and 4: move 128-bit blocks.
        Vector512<float> v0 = Avx512F.Shuffle4x128(u0, u4, 0x88), v1 = Avx512F.Shuffle4x128(u1, u5, 0x88);
        Vector512<float> v2 = Avx512F.Shuffle4x128(u2, u6, 0x88), v3 = Avx512F.Shuffle4x128(u3, u7, 0x88);
        Vector512<float> v4 = Avx512F.Shuffle4x128(u0, u4, 0xDD), v5 = Avx512F.Shuffle4x128(u1, u5, 0xDD);
        Vector512<float> v6 = Avx512F.Shuffle4x128(u2, u6, 0xDD), v7 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
        Vector512<float> v8 = Avx512F.Shuffle4x128(u8, u12, 0x88), v9 = Avx512F.Shuffle4x128(u9, u13, 0x88);
        Vector512<float> v10 = Avx512F.Shuffle4x128(u10, u14, 0x88), v11 = Avx512F.Shuffle4x128(u11, u15, 0x88);
        Vector512<float> v12 = Avx512F.Shuffle4x128(u8, u12, 0xDD), v13 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
        Vector512<float> v14 = Avx512F.Shuffle4x128(u10, u14, 0xDD), v15 = Avx512F.Shuffle4x128(u11, u15, 0xDD);

        Avx512F.Shuffle4x128(v0, v8, 0x88).Store(m);
        Avx512F.Shuffle4x128(v1, v9, 0x88).Store(m + 16);
        Avx512F.Shuffle4x128(v2, v10, 0x88).Store(m + 32);
        Avx512F.Shuffle4x128(v3, v11, 0x88).Store(m + 48);
        Avx512F.Shuffle4x128(v4, v12, 0x88).Store(m + 64);
        Avx512F.Shuffle4x128(v5, v13, 0x88).Store(m + 80);
        Avx512F.Shuffle4x128(v6, v14, 0x88).Store(m + 96);
        Avx512F.Shuffle4x128(v7, v15, 0x88).Store(m + 112);
        Avx512F.Shuffle4x128(v0, v8, 0xDD).Store(m + 128);
        Avx512F.Shuffle4x128(v1, v9, 0xDD).Store(m + 144);
        Avx512F.Shuffle4x128(v2, v10, 0xDD).Store(m + 160);
        Avx512F.Shuffle4x128(v3, v11, 0xDD).Store(m + 176);
        Avx512F.Shuffle4x128(v4, v12, 0xDD).Store(m + 192);
        Avx512F.Shuffle4x128(v5, v13, 0xDD).Store(m + 208);
        Avx512F.Shuffle4x128(v6, v14, 0xDD).Store(m + 224);
        Avx512F.Shuffle4x128(v7, v15, 0xDD).Store(m + 240);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lo64(Vector512<float> x, Vector512<float> y) => Avx512F.UnpackLow(x.AsDouble(), y.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Hi64(Vector512<float> x, Vector512<float> y) => Avx512F.UnpackHigh(x.AsDouble(), y.AsDouble()).AsSingle();
}
