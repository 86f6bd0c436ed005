using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>
/// The tile loop of diffusers' <c>AutoencoderKL.tiled_encode</c> / <c>tiled_decode</c> (0.30), shared by both
/// directions: run <c>process</c> on overlapping input tiles, blend each output tile into its upper and left
/// neighbours over <c>blend</c> rows/columns (linear ramp), crop each to <c>keep</c> × <c>keep</c>, and concatenate.
/// Rows are processed as a stream (only the previous row of output tiles is held); the result is the same as
/// diffusers', which keeps all tiles.
/// </summary>
internal static class TiledRunner
{
    // x [B, Cin, H, W] -> [B, Cout, ~H·scale, ~W·scale]
    public static Tensor Run(Tensor x, int tile, int stride, int blend, int keep, Func<Tensor, Tensor> process)
    {
        int height = x.Shape[2], width = x.Shape[3];
        var rows = new List<Tensor>();
        List<Tensor>? above = null;
        for (int i = 0; i < height; i += stride)
        {
            var row = new List<Tensor>();
            for (int j = 0; j < width; j += stride)
            {
                Tensor input = x.Narrow(2, i, Math.Min(tile, height - i)).Narrow(3, j, Math.Min(tile, width - j));   // [B, Cin, ≤tile, ≤tile]
                Tensor output = Scoped.Run(() => process(input));                                                    // [B, Cout, th, tw]
                if (above is not null)
                    output = BlendVertical(above[row.Count], output, blend);
                if (row.Count > 0)
                    output = BlendHorizontal(row[^1], output, blend);
                row.Add(output);
            }
            rows.Add(Ops.Concat([.. row.Select(t => t.Narrow(2, 0, Math.Min(keep, t.Shape[2])).Narrow(3, 0, Math.Min(keep, t.Shape[3])))], 3));
            above = row;
        }
        return Ops.Concat(rows, 2);
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
