using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>The register-tiled product of the attention kernels against its scalar definition.</summary>
[Trait("Category", "Kernel")]
public sealed unsafe class AttentionTileTests
{
    [SkippableTheory, MemberData(nameof(AttentionPaths.Vector), MemberType = typeof(AttentionPaths))]
    public void MatchesTheReferenceAtEveryEdge(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        var rng = new Random(4);
        foreach (int lanes in (int[])[16, 32, 48, 64, 80, 96, 112, 128, 144])
            for (int rows = 0; rows <= 17; rows++)    // every row tail up to 4 register tiles + 1
                foreach (int depth in (int[])[0, 1, 2, 3, 5, 16, 17, 40, 67])
                    foreach (bool transposedA in (bool[])[false, true])
                        foreach (bool accumulate in (bool[])[false, true])
                            Check(isa, rng, rows, depth, lanes, transposedA, accumulate);
    }

    [SkippableTheory, MemberData(nameof(AttentionPaths.Vector), MemberType = typeof(AttentionPaths))]
    public void RejectsUnpaddedLanes(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        var buffer = new float[64];
        var e = Assert.Throws<ArgumentException>(() =>
        {
            fixed (float* x = buffer) AttentionTile.MultiplyAdd(isa, 1, 1, 20, x, 1, 1, x, 20, x, 20, false);
        });
        Assert.Contains("20 lanes", e.Message);
    }

    private static void Check(AttentionIsa isa, Random rng, int rows, int depth, int lanes, bool transposedA, bool accumulate)
    {
        // A [rows, depth] stored as is (row stride depth + 3) or transposed (A(r, k) at k * (rows + 2) + r);
        // B [depth, lanes] with row stride lanes + 16; C [rows, lanes] with row stride lanes + 16, so writes past
        // 'lanes' or past 'rows' would land on sentinels.
        long ars = transposedA ? 1 : depth + 3, acs = transposedA ? rows + 2 : 1;
        long brs = lanes + 16, crs = lanes + 16;
        float[] a = Random(rng, (rows + 3) * (depth + 3) + 1), b = Random(rng, (depth + 1) * brs);
        float[] c = Random(rng, (rows + 1) * crs), expected = (float[])c.Clone();
        fixed (float* pa = a, pb = b, pc = c, pe = expected)
        {
            AttentionTile.MultiplyAddReference(rows, depth, lanes, pa, ars, acs, pb, brs, pe, crs, accumulate);
            AttentionTile.MultiplyAdd(isa, rows, depth, lanes, pa, ars, acs, pb, brs, pc, crs, accumulate);
        }
        // One FMA per step against multiply-then-add: at most one rounding of |a b| <= 1 per step apart.
        float tolerance = 1.2e-7f * (depth + 1) * 2;
        for (int x = 0; x < c.Length; x++)
        {
            bool inside = x / crs < rows && x % crs < lanes;
            if (!inside && BitConverter.SingleToInt32Bits(c[x]) != BitConverter.SingleToInt32Bits(expected[x]))
                Assert.Fail($"{isa}: element {x} outside C [{rows}, {lanes}] was written");
            if (inside && Math.Abs(c[x] - expected[x]) > tolerance)
                Assert.Fail($"{isa}: C[{x / crs}, {x % crs}] = {c[x]:R}, reference {expected[x]:R}; rows {rows} depth {depth} lanes {lanes} transposedA {transposedA} accumulate {accumulate}");
        }
    }

    private static float[] Random(Random rng, long count)
    {
        var x = new float[count];
        for (long i = 0; i < count; i++) x[i] = rng.NextSingle() * 2f - 1f;
        return x;
    }
}
