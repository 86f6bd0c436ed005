using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// Nearest-neighbour upsampling by an integer factor of contiguous [planes, H, W] float32 data:
/// out[p, y, x] = in[p, y / f, x / f]. Each input row is widened once (Vector512 lane duplication for f = 2) and
/// copied to the other f - 1 output rows. <see cref="Reference"/> is the definition; results are exact copies.
/// </summary>
internal static unsafe class UpsampleNearestKernel
{
    private static readonly Vector512<int> s_duplicate = Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* input, float* output, long planes, int h, int w, int factor)
    {
        int ow = w * factor;
        long rows = planes * h;
        long rowsPerItem = Math.Max(1, (1 << 14) / Math.Max(1, ow * factor));
        int items = checked((int)((rows + rowsPerItem - 1) / rowsPerItem));
        Parallelism.For(items, item =>
        {
            long r1 = Math.Min(rows, (item + 1) * rowsPerItem);
            for (long r = item * rowsPerItem; r < r1; r++)
            {
                float* src = input + r * w;
                float* dst = output + r * factor * ow;   // output row (p, y·f)
                WidenRow(src, dst, w, factor);
                for (int k = 1; k < factor; k++)
                    Buffer.MemoryCopy(dst, dst + k * ow, ow * sizeof(float), ow * sizeof(float));
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WidenRow(float* src, float* dst, int w, int factor)
    {
        int x = 0;
        if (factor == 2 && Vector512.IsHardwareAccelerated)
        {
            for (; x <= w - 8; x += 8)
                Vector512.Store(Vector512.Shuffle(Vector256.Load(src + x).ToVector512Unsafe(), s_duplicate), dst + 2 * x);
        }
        for (; x < w; x++)
        {
            float v = src[x];
            for (int k = 0; k < factor; k++) dst[x * factor + k] = v;
        }
    }

    public static void Reference(float* input, float* output, long planes, int h, int w, int factor)
    {
        int oh = h * factor, ow = w * factor;
        for (long p = 0; p < planes; p++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++)
                    output[(p * oh + y) * ow + x] = input[(p * h + y / factor) * w + x / factor];
    }
}
