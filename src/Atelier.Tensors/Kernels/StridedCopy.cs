using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
namespace Atelier.Tensors.Kernels;

/// <summary>
/// Copies a strided view into another strided view of the same shape, converting the element type when they
/// differ (see <see cref="CastKernel"/>). Fast paths: rows contiguous in both (memcpy or vectorised widening) and
/// a blocked transpose when the two innermost dimensions are swapped (e.g. NCHW → NHWC; 8×8 AVX register
/// transposes, scalar edges and fallback); everything else is an element loop. The reference is
/// <see cref="CopyReference"/>.
/// </summary>
internal static unsafe class StridedCopy
{
    private const long ChunkElements = 1 << 16;
    private const int Tile = 64;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Copy(ReadOnlySpan<int> shape, byte* src, long[] srcStrides, DType srcType, byte* dst, long[] dstStrides, DType dstType)
    {
        long[][] strides = [(long[])dstStrides.Clone(), (long[])srcStrides.Clone()];
        int[] dims = StridedLayout.Coalesce(shape, strides);
        long[] ds = strides[0], ss = strides[1];
        foreach (int d in shape) if (d == 0) return;
        if (dims.Length == 0)
        {
            CastKernel.Convert(src, srcType, dst, dstType, 1);
            return;
        }
        int last = dims.Length - 1;
        if (dims.Length >= 2 && ds[last] == 1 && ss[last] != 1 && ss[last - 1] == 1 && srcType == dstType)
        {
            CopyTransposed(dims, src, ss, dst, ds, srcType.Size());
            return;
        }
        int rowLength = dims[last];
        long rows = StridedLayout.RowCount(dims);
        long rowsPerChunk = Math.Max(1, ChunkElements / rowLength);
        int chunks = (int)((rows + rowsPerChunk - 1) / rowsPerChunk);
        int srcSize = srcType.Size(), dstSize = dstType.Size();
        long sInner = ss[last], dInner = ds[last];
        Parallelism.For(chunks, chunk =>
        {
            long r0 = chunk * rowsPerChunk, r1 = Math.Min(rows, r0 + rowsPerChunk);
            var cursor = new RowCursor(dims, ds, ss, null, r0);
            for (long r = r0; r < r1; r++, cursor.Next())
            {
                byte* d = dst + cursor.Offset0 * dstSize;
                byte* s = src + cursor.Offset1 * srcSize;
                if (sInner == 1 && dInner == 1)
                    CastKernel.Convert(s, srcType, d, dstType, rowLength);
                else
                    CopyStridedRow(s, sInner, srcType, d, dInner, dstType, rowLength);
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyStridedRow(byte* s, long sStride, DType sType, byte* d, long dStride, DType dType, int n)
    {
        if (sType == dType)
        {
            switch (sType.Size())
            {
                case 4: for (int i = 0; i < n; i++) ((int*)d)[i * dStride] = ((int*)s)[i * sStride]; return;
                case 2: for (int i = 0; i < n; i++) ((short*)d)[i * dStride] = ((short*)s)[i * sStride]; return;
                case 8: for (int i = 0; i < n; i++) ((long*)d)[i * dStride] = ((long*)s)[i * sStride]; return;
                default: for (int i = 0; i < n; i++) d[i * dStride] = s[i * sStride]; return;
            }
        }
        for (int i = 0; i < n; i++)
            ElementAccess.Write(d + i * dStride * dType.Size(), dType, 0, ElementAccess.Read(s + i * sStride * sType.Size(), sType, 0));
    }

    // The two innermost dimensions [R, C] are stored transposed in the source (stride 1 along R): copy in blocks
    // of Tile rows so the few source cache lines in flight are reused, 8×8 at a time in registers when AVX is
    // available (the source stride is often a multiple of 4 KiB, where a scalar tile thrashes one cache set).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyTransposed(int[] dims, byte* src, long[] ss, byte* dst, long[] ds, int elementSize)
    {
        int rank = dims.Length;
        int rowsR = dims[rank - 2], cols = dims[rank - 1];
        long outer = 1;
        for (int i = 0; i < rank - 2; i++) outer *= dims[i];
        int tilesR = (rowsR + Tile - 1) / Tile;
        long work = outer * tilesR;
        int[] outerDims = dims[..(rank - 2)];
        long srcColStride = ss[rank - 1], dstRowStride = ds[rank - 2];
        Parallelism.For(checked((int)Math.Min(work, int.MaxValue)), item =>
        {
            long o = item / tilesR;
            int tr = (int)(item % tilesR);
            long so = 0, dO = 0, rem = o;
            for (int i = outerDims.Length - 1; i >= 0; i--)
            {
                long idx = rem % outerDims[i];
                rem /= outerDims[i];
                so += idx * ss[i];
                dO += idx * ds[i];
            }
            int r0 = tr * Tile, r1 = Math.Min(rowsR, r0 + Tile);
            if (elementSize == 4)
                TransposeBlock((float*)src + so, srcColStride, (float*)dst + dO, dstRowStride, r0, r1, cols);
            else
                for (int c = 0; c < cols; c++)
                    for (int r = r0; r < r1; r++)
                        Buffer.MemoryCopy(src + (so + r + c * srcColStride) * elementSize, dst + (dO + r * dstRowStride + c) * elementSize, elementSize, elementSize);
        });
    }

    /// <summary>d[r, c] = s[r + c·sStride] for rows r0 ≤ r &lt; r1 and all columns: 8×8 register blocks, scalar edges.</summary>
    private static void TransposeBlock(float* s, long sStride, float* d, long dStride, int r0, int r1, int cols)
    {
        int rFull = r0, cFull = 0;
        if (Avx.IsSupported)
        {
            rFull = r0 + (r1 - r0) / 8 * 8;
            cFull = cols / 8 * 8;
            for (int c = 0; c < cFull; c += 8)
                for (int r = r0; r < rFull; r += 8)
                    Transpose8x8(s + r + c * sStride, sStride, d + r * dStride + c, dStride);
        }
        // Edges (everything without AVX): columns covered by blocks need only the rows below the last block;
        // the remaining columns need every row.
        for (int c = 0; c < cols; c++)
            for (int r = c < cFull ? rFull : r0; r < r1; r++)
                d[r * dStride + c] = s[r + c * sStride];
    }

    // Eight source rows of eight (s + k·sStride) become eight destination rows (d + k·dStride): unpack pairs,
    // shuffle quads, then swap 128-bit halves.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* s, long sStride, float* d, long dStride)
    {
        var a0 = Avx.LoadVector256(s);
        var a1 = Avx.LoadVector256(s + sStride);
        var a2 = Avx.LoadVector256(s + 2 * sStride);
        var a3 = Avx.LoadVector256(s + 3 * sStride);
        var a4 = Avx.LoadVector256(s + 4 * sStride);
        var a5 = Avx.LoadVector256(s + 5 * sStride);
        var a6 = Avx.LoadVector256(s + 6 * sStride);
        var a7 = Avx.LoadVector256(s + 7 * sStride);
        var t0 = Avx.UnpackLow(a0, a1);
        var t1 = Avx.UnpackHigh(a0, a1);
        var t2 = Avx.UnpackLow(a2, a3);
        var t3 = Avx.UnpackHigh(a2, a3);
        var t4 = Avx.UnpackLow(a4, a5);
        var t5 = Avx.UnpackHigh(a4, a5);
        var t6 = Avx.UnpackLow(a6, a7);
        var t7 = Avx.UnpackHigh(a6, a7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + dStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 2 * dStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + 3 * dStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 4 * dStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + 5 * dStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 6 * dStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + 7 * dStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>The definition: one element at a time over the full index space.</summary>
    public static void CopyReference(ReadOnlySpan<int> shape, byte* src, long[] srcStrides, DType srcType, byte* dst, long[] dstStrides, DType dstType)
    {
        long count = 1;
        foreach (int d in shape) count *= d;
        var index = new int[shape.Length];
        for (long n = 0; n < count; n++)
        {
            long so = 0, dOff = 0;
            for (int i = 0; i < shape.Length; i++)
            {
                so += index[i] * srcStrides[i];
                dOff += index[i] * dstStrides[i];
            }
            ElementAccess.Write(dst + dOff * dstType.Size(), dstType, 0, ElementAccess.Read(src + so * srcType.Size(), srcType, 0));
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                if (++index[i] < shape[i]) break;
                index[i] = 0;
            }
        }
    }
}
