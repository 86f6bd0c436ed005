using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>The gathers that move query blocks into and out of the lane layout, against the scalar path.</summary>
[Trait("Category", "Kernel")]
public sealed unsafe class AttentionTransposeTests
{
    [SkippableTheory, MemberData(nameof(AttentionPaths.All), MemberType = typeof(AttentionPaths))]
    public void RowsToLanesAndBack(string path)
    {
        AttentionIsa isa = AttentionPaths.Require(path);
        var rng = new Random(10);
        foreach (int rows in (int[])[0, 1, 7, 8, 9, 15, 16, 17, 33, 64])
            foreach (int cols in (int[])[1, 3, 8, 15, 16, 17, 40])
            {
                int lanes = (rows + 15) / 16 * 16 + (rows % 2) * 16;   // sometimes more padding than needed
                long srcStride = cols + rows % 5;
                float[] src = Fill(rng, Math.Max(1, rows) * srcStride), scales = Fill(rng, Math.Max(1, rows));
                float[] packed = Fill(rng, cols * Math.Max(lanes, 1));
                float[] back = Fill(rng, Math.Max(1, rows) * srcStride), backBefore = (float[])back.Clone();
                fixed (float* ps = src, pp = packed, pb = back, pscale = scales)
                {
                    AttentionTranspose.ToLanes(isa, ps, srcStride, rows, cols, 0.5f, pp, lanes);
                    for (int c = 0; c < cols; c++)
                        for (int l = 0; l < lanes; l++)
                        {
                            float expected = l < rows ? 0.5f * src[l * srcStride + c] : 0f;
                            Assert.True(packed[c * lanes + l] == expected, $"{isa} ToLanes rows {rows} cols {cols}: [{c}, {l}] = {packed[c * lanes + l]}, expected {expected}");
                        }
                    AttentionTranspose.FromLanes(isa, pp, lanes, rows, cols, pscale, 0f, pb, srcStride);
                    for (int r = 0; r < rows; r++)
                        for (long c = 0; c < srcStride; c++)
                        {
                            float expected = c < cols ? packed[c * lanes + r] * scales[r] : backBefore[r * srcStride + c];
                            Assert.True(back[r * srcStride + c] == expected, $"{isa} FromLanes rows {rows} cols {cols}: [{r}, {c}] = {back[r * srcStride + c]}, expected {expected}");
                        }
                    AttentionTranspose.FromLanes(isa, pp, lanes, rows, cols, null, 2f, pb, srcStride);
                    for (int r = 0; r < rows; r++)
                        for (int c = 0; c < cols; c++)
                            Assert.Equal(packed[c * lanes + r] * 2f, back[r * srcStride + c]);
                }
            }
    }

    private static float[] Fill(Random rng, long count)
    {
        var x = new float[count];
        for (long i = 0; i < count; i++) x[i] = rng.NextSingle() * 2f - 1f;
        return x;
    }
}
