using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// AVX2 micro-kernel: a 6 x 16 tile of C in 12 ymm accumulators (+ 2 B vectors + 1 broadcast = 15 of 16
/// registers), the classic Haswell-era shape. Used when AVX-512 is unavailable or disabled.
/// </summary>
internal readonly unsafe struct GemmKernel256 : IGemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int KC => 256;
    public static int MC => 6 * 24;
    public static bool Fused => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, long ldc, bool load, float scale)
    {
        Vector256<float> c0_0, c0_1, c1_0, c1_1, c2_0, c2_1, c3_0, c3_1, c4_0, c4_1, c5_0, c5_1;
        if (load)
        {
            var s = Vector256.Create(scale);
            c0_0 = Vector256.Load(c + 0 * ldc) * s; c0_1 = Vector256.Load(c + 0 * ldc + 8) * s;
            c1_0 = Vector256.Load(c + 1 * ldc) * s; c1_1 = Vector256.Load(c + 1 * ldc + 8) * s;
            c2_0 = Vector256.Load(c + 2 * ldc) * s; c2_1 = Vector256.Load(c + 2 * ldc + 8) * s;
            c3_0 = Vector256.Load(c + 3 * ldc) * s; c3_1 = Vector256.Load(c + 3 * ldc + 8) * s;
            c4_0 = Vector256.Load(c + 4 * ldc) * s; c4_1 = Vector256.Load(c + 4 * ldc + 8) * s;
            c5_0 = Vector256.Load(c + 5 * ldc) * s; c5_1 = Vector256.Load(c + 5 * ldc + 8) * s;
        }
        else
        {
            c0_0 = Vector256<float>.Zero; c0_1 = Vector256<float>.Zero;
            c1_0 = Vector256<float>.Zero; c1_1 = Vector256<float>.Zero;
            c2_0 = Vector256<float>.Zero; c2_1 = Vector256<float>.Zero;
            c3_0 = Vector256<float>.Zero; c3_1 = Vector256<float>.Zero;
            c4_0 = Vector256<float>.Zero; c4_1 = Vector256<float>.Zero;
            c5_0 = Vector256<float>.Zero; c5_1 = Vector256<float>.Zero;
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]); c0_0 = Vector256.FusedMultiplyAdd(x, b0, c0_0); c0_1 = Vector256.FusedMultiplyAdd(x, b1, c0_1);
            x = Vector256.Create(a[1]); c1_0 = Vector256.FusedMultiplyAdd(x, b0, c1_0); c1_1 = Vector256.FusedMultiplyAdd(x, b1, c1_1);
            x = Vector256.Create(a[2]); c2_0 = Vector256.FusedMultiplyAdd(x, b0, c2_0); c2_1 = Vector256.FusedMultiplyAdd(x, b1, c2_1);
            x = Vector256.Create(a[3]); c3_0 = Vector256.FusedMultiplyAdd(x, b0, c3_0); c3_1 = Vector256.FusedMultiplyAdd(x, b1, c3_1);
            x = Vector256.Create(a[4]); c4_0 = Vector256.FusedMultiplyAdd(x, b0, c4_0); c4_1 = Vector256.FusedMultiplyAdd(x, b1, c4_1);
            x = Vector256.Create(a[5]); c5_0 = Vector256.FusedMultiplyAdd(x, b0, c5_0); c5_1 = Vector256.FusedMultiplyAdd(x, b1, c5_1);
            a += 6;
            b += 16;
        }
        c0_0.Store(c + 0 * ldc); c0_1.Store(c + 0 * ldc + 8);
        c1_0.Store(c + 1 * ldc); c1_1.Store(c + 1 * ldc + 8);
        c2_0.Store(c + 2 * ldc); c2_1.Store(c + 2 * ldc + 8);
        c3_0.Store(c + 3 * ldc); c3_1.Store(c + 3 * ldc + 8);
        c4_0.Store(c + 4 * ldc); c4_1.Store(c + 4 * ldc + 8);
        c5_0.Store(c + 5 * ldc); c5_1.Store(c + 5 * ldc + 8);
    }
}
