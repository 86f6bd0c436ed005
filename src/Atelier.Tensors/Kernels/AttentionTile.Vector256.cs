using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

// Vector256 path of AttentionTile (AVX2 + FMA, 16 registers): register tiles of 4 rows x 2 vectors
// (16 lanes, 8 accumulators) and a 1-row variant for the edge.
internal static unsafe partial class AttentionTile
{
    private static void MultiplyAdd256(int rows, int depth, int lanes,
        float* a, long ars, long acs, float* b, long brs, float* c, long crs, bool accumulate)
    {
        for (int l = 0; l < lanes; l += 16)
        {
            int r = 0;
            for (; r + 4 <= rows; r += 4)
                Tile256Rows4(depth, a + r * ars, ars, acs, b + l, brs, c + r * crs + l, crs, accumulate);
            for (; r < rows; r++)
                Tile256Rows1(depth, a + r * ars, acs, b + l, brs, c + r * crs + l, accumulate);
        }
    }

    private static void Tile256Rows4(int depth, float* a, long ars, long acs, float* b, long brs, float* c, long crs, bool accumulate)
    {
        float* c0 = c, c1 = c0 + crs, c2 = c1 + crs, c3 = c2 + crs;
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31;
        if (accumulate)
        {
            c00 = Vector256.Load(c0); c01 = Vector256.Load(c0 + 8);
            c10 = Vector256.Load(c1); c11 = Vector256.Load(c1 + 8);
            c20 = Vector256.Load(c2); c21 = Vector256.Load(c2 + 8);
            c30 = Vector256.Load(c3); c31 = Vector256.Load(c3 + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = Vector256<float>.Zero;
        }
        float* a0 = a, a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars;
        long ak = 0;
        for (int k = 0; k < depth; k++, ak += acs, b += brs)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> x = Vector256.Create(a0[ak]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a1[ak]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a2[ak]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3[ak]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
        }
        c00.Store(c0); c01.Store(c0 + 8);
        c10.Store(c1); c11.Store(c1 + 8);
        c20.Store(c2); c21.Store(c2 + 8);
        c30.Store(c3); c31.Store(c3 + 8);
    }

    private static void Tile256Rows1(int depth, float* a, long acs, float* b, long brs, float* c, bool accumulate)
    {
        Vector256<float> s0, s1;
        if (accumulate) { s0 = Vector256.Load(c); s1 = Vector256.Load(c + 8); }
        else { s0 = s1 = Vector256<float>.Zero; }
        long ak = 0;
        for (int k = 0; k < depth; k++, ak += acs, b += brs)
        {
            Vector256<float> x = Vector256.Create(a[ak]);
            s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b), s0);
            s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(b + 8), s1);
        }
        s0.Store(c); s1.Store(c + 8);
    }
}
