using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

// Vector512 path of AttentionTile: register tiles of 4 rows x 4 vectors (64 lanes), with 3-, 2- and
// 1-vector and 1-row variants for the edges. A 4x4 tile keeps 16 accumulators and, per k, loads 4 vectors of B and
// broadcasts 4 elements of A for 16 FMAs, so the two FMA ports, not the load ports, set the pace.
internal static unsafe partial class AttentionTile
{
    private static void MultiplyAdd512(int rows, int depth, int lanes,
        float* a, long ars, long acs, float* b, long brs, float* c, long crs, bool accumulate)
    {
        int l = 0;
        for (; l + 64 <= lanes; l += 64)
        {
            int r = 0;
            for (; r + 4 <= rows; r += 4)
                Tile512Rows4Vectors4(depth, a + r * ars, ars, acs, b + l, brs, c + r * crs + l, crs, accumulate);
            for (; r < rows; r++)
                Tile512Rows1Vectors4(depth, a + r * ars, acs, b + l, brs, c + r * crs + l, accumulate);
        }
        // 1 to 3 vectors left (a head dim of 40 padded to 48 in the backward's dK, dV): one tile of that width.
        int vectors = (lanes - l) / 16;
        if (vectors > 0)
        {
            int r = 0;
            for (; r + 4 <= rows; r += 4)
            {
                float* ar = a + r * ars, cr = c + r * crs + l;
                if (vectors == 3) Tile512Rows4Vectors3(depth, ar, ars, acs, b + l, brs, cr, crs, accumulate);
                else if (vectors == 2) Tile512Rows4Vectors2(depth, ar, ars, acs, b + l, brs, cr, crs, accumulate);
                else Tile512Rows4Vectors1(depth, ar, ars, acs, b + l, brs, cr, crs, accumulate);
            }
            for (; r < rows; r++)
                for (int v = 0; v < vectors; v++)
                    Tile512Rows1Vectors1(depth, a + r * ars, acs, b + l + 16 * v, brs, c + r * crs + l + 16 * v, accumulate);
        }
    }

    private static void Tile512Rows4Vectors4(int depth, float* a, long ars, long acs, float* b, long brs, float* c, long crs, bool accumulate)
    {
        float* c0 = c, c1 = c0 + crs, c2 = c1 + crs, c3 = c2 + crs;
        Vector512<float> c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
        if (accumulate)
        {
            c00 = Vector512.Load(c0); c01 = Vector512.Load(c0 + 16); c02 = Vector512.Load(c0 + 32); c03 = Vector512.Load(c0 + 48);
            c10 = Vector512.Load(c1); c11 = Vector512.Load(c1 + 16); c12 = Vector512.Load(c1 + 32); c13 = Vector512.Load(c1 + 48);
            c20 = Vector512.Load(c2); c21 = Vector512.Load(c2 + 16); c22 = Vector512.Load(c2 + 32); c23 = Vector512.Load(c2 + 48);
            c30 = Vector512.Load(c3); c31 = Vector512.Load(c3 + 16); c32 = Vector512.Load(c3 + 32); c33 = Vector512.Load(c3 + 48);
        }
        else
        {
            c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = Vector512<float>.Zero;
        }
        float* a0 = a, a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars;
        long ak = 0;
        for (int k = 0; k < depth; k++, ak += acs, b += brs)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16), b2 = Vector512.Load(b + 32), b3 = Vector512.Load(b + 48);
            Vector512<float> x = Vector512.Create(a0[ak]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(x, b2, c02); c03 = Vector512.FusedMultiplyAdd(x, b3, c03);
            x = Vector512.Create(a1[ak]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(x, b2, c12); c13 = Vector512.FusedMultiplyAdd(x, b3, c13);
            x = Vector512.Create(a2[ak]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(x, b2, c22); c23 = Vector512.FusedMultiplyAdd(x, b3, c23);
            x = Vector512.Create(a3[ak]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(x, b2, c32); c33 = Vector512.FusedMultiplyAdd(x, b3, c33);
        }
        c00.Store(c0); c01.Store(c0 + 16); c02.Store(c0 + 32); c03.Store(c0 + 48);
        c10.Store(c1); c11.Store(c1 + 16); c12.Store(c1 + 32); c13.Store(c1 + 48);
        c20.Store(c2); c21.Store(c2 + 16); c22.Store(c2 + 32); c23.Store(c2 + 48);
        c30.Store(c3); c31.Store(c3 + 16); c32.Store(c3 + 32); c33.Store(c3 + 48);
    }

    private static void Tile512Rows1Vectors4(int depth, float* a, long acs, float* b, long brs, float* c, bool accumulate)
    {
        Vector512<float> c0, c1, c2, c3;
        if (accumulate) { c0 = Vector512.Load(c); c1 = Vector512.Load(c + 16); c2 = Vector512.Load(c + 32); c3 = Vector512.Load(c + 48); }
        else { c0 = c1 = c2 = c3 = Vector512<float>.Zero; }
        long ak = 0;
        for (int k = 0; k < depth; k++, ak += acs, b += brs)
        {
            Vector512<float> x = Vector512.Create(a[ak]);
            c0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b), c0); c1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 16), c1);
            c2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 32), c2); c3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 48), c3);
        }
        c0.Store(c); c1.Store(c + 16); c2.Store(c + 32); c3.Store(c + 48);
    }

    private static void Tile512Rows4Vectors3(int depth, float* a, long ars, long acs, float* b, long brs, float* c, long crs, bool accumulate)
    {
        float* c0 = c, c1 = c0 + crs, c2 = c1 + crs, c3 = c2 + crs;
        Vector512<float> c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
        if (accumulate)
        {
            c00 = Vector512.Load(c0); c01 = Vector512.Load(c0 + 16); c02 = Vector512.Load(c0 + 32);
            c10 = Vector512.Load(c1); c11 = Vector512.Load(c1 + 16); c12 = Vector512.Load(c1 + 32);
            c20 = Vector512.Load(c2); c21 = Vector512.Load(c2 + 16); c22 = Vector512.Load(c2 + 32);
            c30 = Vector512.Load(c3); c31 = Vector512.Load(c3 + 16); c32 = Vector512.Load(c3 + 32);
        }
        else
        {
            c00 = c01 = c02 = c10 = c11 = c12 = c20 = c21 = c22 = c30 = c31 = c32 = Vector512<float>.Zero;
        }
        float* a0 = a, a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars;
        long ak = 0;
        for (int k = 0; k < depth; k++, ak += acs, b += brs)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16), b2 = Vector512.Load(b + 32);
            Vector512<float> x = Vector512.Create(a0[ak]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01); c02 = Vector512.FusedMultiplyAdd(x, b2, c02);
            x = Vector512.Create(a1[ak]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11); c12 = Vector512.FusedMultiplyAdd(x, b2, c12);
            x = Vector512.Create(a2[ak]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21); c22 = Vector512.FusedMultiplyAdd(x, b2, c22);
            x = Vector512.Create(a3[ak]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31); c32 = Vector512.FusedMultiplyAdd(x, b2, c32);
        }
        c00.Store(c0); c01.Store(c0 + 16); c02.Store(c0 + 32);
        c10.Store(c1); c11.Store(c1 + 16); c12.Store(c1 + 32);
        c20.Store(c2); c21.Store(c2 + 16); c22.Store(c2 + 32);
        c30.Store(c3); c31.Store(c3 + 16); c32.Store(c3 + 32);
    }

    private static void Tile512Rows4Vectors2(int depth, float* a, long ars, long acs, float* b, long brs, float* c, long crs, bool accumulate)
    {
        float* c0 = c, c1 = c0 + crs, c2 = c1 + crs, c3 = c2 + crs;
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31;
        if (accumulate)
        {
            c00 = Vector512.Load(c0); c01 = Vector512.Load(c0 + 16);
            c10 = Vector512.Load(c1); c11 = Vector512.Load(c1 + 16);
            c20 = Vector512.Load(c2); c21 = Vector512.Load(c2 + 16);
            c30 = Vector512.Load(c3); c31 = Vector512.Load(c3 + 16);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = Vector512<float>.Zero;
        }
        float* a0 = a, a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars;
        long ak = 0;
        for (int k = 0; k < depth; k++, ak += acs, b += brs)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> x = Vector512.Create(a0[ak]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[ak]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[ak]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[ak]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
        }
        c00.Store(c0); c01.Store(c0 + 16);
        c10.Store(c1); c11.Store(c1 + 16);
        c20.Store(c2); c21.Store(c2 + 16);
        c30.Store(c3); c31.Store(c3 + 16);
    }

    private static void Tile512Rows4Vectors1(int depth, float* a, long ars, long acs, float* b, long brs, float* c, long crs, bool accumulate)
    {
        float* c0 = c, c1 = c0 + crs, c2 = c1 + crs, c3 = c2 + crs;
        Vector512<float> s0, s1, s2, s3;
        if (accumulate) { s0 = Vector512.Load(c0); s1 = Vector512.Load(c1); s2 = Vector512.Load(c2); s3 = Vector512.Load(c3); }
        else { s0 = s1 = s2 = s3 = Vector512<float>.Zero; }
        float* a0 = a, a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars;
        long ak = 0;
        for (int k = 0; k < depth; k++, ak += acs, b += brs)
        {
            Vector512<float> bk = Vector512.Load(b);
            s0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[ak]), bk, s0);
            s1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[ak]), bk, s1);
            s2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[ak]), bk, s2);
            s3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[ak]), bk, s3);
        }
        s0.Store(c0); s1.Store(c1); s2.Store(c2); s3.Store(c3);
    }

    private static void Tile512Rows1Vectors1(int depth, float* a, long acs, float* b, long brs, float* c, bool accumulate)
    {
        Vector512<float> s = accumulate ? Vector512.Load(c) : Vector512<float>.Zero;
        long ak = 0;
        for (int k = 0; k < depth; k++, ak += acs, b += brs)
            s = Vector512.FusedMultiplyAdd(Vector512.Create(a[ak]), Vector512.Load(b), s);
        s.Store(c);
    }
}
