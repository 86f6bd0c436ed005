using System.Runtime.CompilerServices;
namespace Atelier.Tensors.Kernels;

/// <summary>
/// Copies a strided view into another strided view of the same shape, converting the element type when they
/// differ (see <see cref="CastKernel"/>). Fast paths: rows contiguous in both (memcpy or vectorised widening) and
/// a cache-tiled transpose when the two innermost dimensions are swapped (e.g. NCHW → NHWC); everything else is
/// an element loop. The reference is <see cref="CopyReference"/>.
/// </summary>
internal static unsafe class StridedCopy
{
    private const long ChunkElements = 1 << 16;
    private const int Tile = 32;

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

    // The two innermost dimensions [R, C] are stored transposed in the source (stride 1 along R): copy tile by tile
    // so both the reads and the writes stay within a few cache lines.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyTransposed(int[] dims, byte* src, long[] ss, byte* dst, long[] ds, int elementSize)
    {
        int rank = dims.Length;
        int rowsR = dims[rank - 2], cols = dims[rank - 1];
        long outer = 1;
        for (int i = 0; i < rank - 2; i++) outer *= dims[i];
        int tilesR = (rowsR + Tile - 1) / Tile;
        int tilesC = (cols + Tile - 1) / Tile;
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
            for (int tc = 0; tc < tilesC; tc++)
            {
                int c0 = tc * Tile, c1 = Math.Min(cols, c0 + Tile);
                if (elementSize == 4)
                {
                    int* s = (int*)src + so;
                    int* d = (int*)dst + dO;
                    for (int r = r0; r < r1; r++)
                        for (int c = c0; c < c1; c++)
                            d[r * dstRowStride + c] = s[r + c * srcColStride];
                }
                else
                {
                    for (int r = r0; r < r1; r++)
                        for (int c = c0; c < c1; c++)
                            Buffer.MemoryCopy(src + (so + r + c * srcColStride) * elementSize, dst + (dO + r * dstRowStride + c) * elementSize, elementSize, elementSize);
                }
            }
        });
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
