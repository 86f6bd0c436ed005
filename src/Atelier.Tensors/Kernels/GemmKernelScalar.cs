namespace Atelier.Tensors.Kernels;

/// <summary>
/// Scalar micro-kernel (no hardware intrinsics): a 4 x 4 tile in 16 locals, multiply then add, the same
/// arithmetic as <see cref="Gemm.Reference"/> (whose order differs only by the K blocking).
/// </summary>
internal readonly unsafe struct GemmKernelScalar : IGemmMicroKernel
{
    public static int MR => 4;
    public static int NR => 4;
    public static int KC => 256;
    public static int MC => 64;
    public static bool Fused => false;

    public static void Run(int kc, float* a, float* b, float* c, long ldc, bool load, float scale)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        if (load)
        {
            float* r0 = c, r1 = c + ldc, r2 = c + 2 * ldc, r3 = c + 3 * ldc;
            c00 = r0[0] * scale; c01 = r0[1] * scale; c02 = r0[2] * scale; c03 = r0[3] * scale;
            c10 = r1[0] * scale; c11 = r1[1] * scale; c12 = r1[2] * scale; c13 = r1[3] * scale;
            c20 = r2[0] * scale; c21 = r2[1] * scale; c22 = r2[2] * scale; c23 = r2[3] * scale;
            c30 = r3[0] * scale; c31 = r3[1] * scale; c32 = r3[2] * scale; c33 = r3[3] * scale;
        }
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float x = a[0]; c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
            x = a[1]; c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
            x = a[2]; c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
            x = a[3]; c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
            a += 4;
            b += 4;
        }
        float* o0 = c, o1 = c + ldc, o2 = c + 2 * ldc, o3 = c + 3 * ldc;
        o0[0] = c00; o0[1] = c01; o0[2] = c02; o0[3] = c03;
        o1[0] = c10; o1[1] = c11; o1[2] = c12; o1[3] = c13;
        o2[0] = c20; o2[1] = c21; o2[2] = c22; o2[3] = c23;
        o3[0] = c30; o3[1] = c31; o3[2] = c32; o3[3] = c33;
    }
}
