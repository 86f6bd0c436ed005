using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>
/// The tile loop of diffusers' <c>AutoencoderKL.tiled_encode</c> / <c>tiled_decode</c> (0.30), shared by both
/// directions: run <c>process</c> on input tiles of <c>tile</c> × <c>tile</c> every <c>stride</c>, fade each output tile
/// into its upper and left neighbours over <c>blend</c> rows/columns (linear ramp), crop it to <c>keep</c> × <c>keep</c>,
/// and concatenate. <c>keep</c> must be <c>stride</c> in output units, so the kept parts tile the output exactly.
/// </summary>
/// <remarks>
/// Differences from diffusers, neither changing a tile that both run: (1) a tile is started only while the previous
/// one has not reached the edge; the last tile of a row or column is kept whole. diffusers also starts tiles that lie
/// entirely inside the previous tile's overlap (e.g. a second row for a latent of exactly one tile) and blends their
/// poorly-contexted output over good pixels. (2) Each tile is processed and blended in its own scope, so memory is
/// the peak of one tile plus the output tiles (about (1/(1 - overlap))² × the result), the cropped rows and the
/// result: a few times the output's bytes, which has 3 channels where the decoder's activations have 128 to 512.
/// </remarks>
internal static class TiledRunner
{
    // x [B, Cin, H, W] -> [B, Cout, H·scale, W·scale]
    public static Tensor Run(Tensor x, int tile, int stride, int blend, int keep, Func<Tensor, Tensor> process)
    {
        int[] rowStarts = Starts(x.Shape[2], tile, stride), columnStarts = Starts(x.Shape[3], tile, stride);
        var rows = new List<Tensor>();
        List<Tensor>? above = null;
        foreach (int i in rowStarts)
        {
            var row = new List<Tensor>();
            foreach (int j in columnStarts)
            {
                Tensor input = x.Narrow(2, i, Math.Min(tile, x.Shape[2] - i)).Narrow(3, j, Math.Min(tile, x.Shape[3] - j));   // [B, Cin, ≤tile, ≤tile]
                Tensor? up = above?[row.Count], left = row.Count > 0 ? row[^1] : null;
                row.Add(Scoped.Run(() =>
                {
                    Tensor output = process(input);                                      // [B, Cout, th, tw]
                    if (up is not null) output = BlendVertical(up, output, blend);
                    if (left is not null) output = BlendHorizontal(left, output, blend);
                    return output;
                }));
            }
            bool lastRow = i == rowStarts[^1];
            var kept = new Tensor[row.Count];
            for (int k = 0; k < row.Count; k++)
            {
                Tensor t = row[k];
                Tensor cropped = lastRow ? t : t.Narrow(2, 0, Math.Min(keep, t.Shape[2]));
                kept[k] = k == row.Count - 1 ? cropped : cropped.Narrow(3, 0, Math.Min(keep, t.Shape[3]));
            }
            rows.Add(Ops.Concat(kept, 3));   // [B, Cout, keep (or the rest), W·scale]
            above = row;
        }
        return Ops.Concat(rows, 2);           // [B, Cout, H·scale, W·scale]
    }

    /// <summary>0, stride, 2·stride, … up to the first tile that reaches <paramref name="size"/>.</summary>
    internal static int[] Starts(int size, int tile, int stride)
    {
        var starts = new List<int> { 0 };
        while (starts[^1] + tile < size)
            starts.Add(starts[^1] + stride);
        return [.. starts];
    }

    /// <summary>
    /// b with its first rows faded in from the last rows of a (diffusers <c>blend_v</c>):
    /// b[y] = a[Ha - e + y] · (1 - y/e) + b[y] · y/e for y &lt; e = min(Ha, Hb, extent).
    /// </summary>
    // a [B, C, Ha, W], b [B, C, Hb, W] -> [B, C, Hb, W]
    internal static Tensor BlendVertical(Tensor a, Tensor b, int extent) => Blend(a, b, extent, axis: 2);

    /// <summary>b with its first columns faded in from the last columns of a (diffusers <c>blend_h</c>).</summary>
    // a [B, C, H, Wa], b [B, C, H, Wb] -> [B, C, H, Wb]
    internal static Tensor BlendHorizontal(Tensor a, Tensor b, int extent) => Blend(a, b, extent, axis: 3);

    private static Tensor Blend(Tensor a, Tensor b, int extent, int axis)
    {
        int e = Math.Min(Math.Min(a.Shape[axis], b.Shape[axis]), extent);
        if (e <= 0) return b;
        var ramp = new float[e];
        var fade = new float[e];
        for (int y = 0; y < e; y++)
        {
            ramp[y] = (float)((double)y / e);
            fade[y] = (float)(1 - (double)y / e);
        }
        int[] weightShape = axis == 2 ? [1, 1, e, 1] : [1, 1, 1, e];
        Tensor head = a.Narrow(axis, a.Shape[axis] - e, e) * Tensor.FromArray(fade, weightShape)
                    + b.Narrow(axis, 0, e) * Tensor.FromArray(ramp, weightShape);          // [.., e, ..]
        return e == b.Shape[axis] ? head : Ops.Concat([head, b.Narrow(axis, e, b.Shape[axis] - e)], axis);
    }
}
