using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// Doubles the resolution: nearest-neighbour interpolation, then a 3x3 convolution (diffusers <c>Upsample2D</c>,
/// use_conv=True). When the skip connection it meets is odd-sized, diffusers interpolates straight to that size
/// (<c>forward_upsample_size</c>, G14); see <see cref="Forward"/> for why that equals ×2 then cropping.
/// </summary>
public sealed class Upsample2D : Module
{
    public Upsample2D(int channels)
    {
        Conv = Add("conv", new Conv2d(channels, channels, 3, padding: 1));
    }

    public Conv2d Conv { get; }

    /// <summary>
    /// x [B, C, H, W] → [B, C, outH, outW] (default 2H x 2W). <paramref name="outputSize"/> must be 2H or 2H - 1
    /// (likewise for W): the sizes a stride-2, padding-1 downsampling (ceil(n/2)) leaves to come back to. For those,
    /// PyTorch's nearest rule src = floor(dst · in/out) equals floor(dst/2) for every dst &lt; out (the excess
    /// dst/(2(2in-1)) stays below ½, far above float rounding), i.e. ×2 then cropping the last row/column.
    /// </summary>
    public Tensor Forward(Tensor x, (int Height, int Width)? outputSize = null)
    {
        using var scope = TensorScope.Begin();
        int height = x.Shape[2], width = x.Shape[3];
        Tensor h = x.UpsampleNearest(2);                                      // [B, C, 2H, 2W]
        if (outputSize is var (outH, outW) && (outH, outW) != (2 * height, 2 * width))
        {
            if ((outH != 2 * height && outH != 2 * height - 1) || (outW != 2 * width && outW != 2 * width - 1))
                throw new TensorShapeException("Upsample2D", $"input {x.Shape} asked to reach {outH}x{outW}", $"an output of {2 * height} or {2 * height - 1} rows and {2 * width} or {2 * width - 1} columns (the size of the matching skip connection)");
            h = h.Narrow(2, 0, outH).Narrow(3, 0, outW);                      // [B, C, outH, outW] (view; the conv reads it)
        }
        return scope.Keep(Conv.Forward(h));
    }
}
