using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>
/// The encoder's downsampler (diffusers <c>Downsample2D</c> with padding=0, gotcha G18): zero-pad one row at the
/// bottom and one column at the right, then a 3x3 convolution with stride 2 and no padding. The padding is
/// asymmetric, so it cannot be the convolution's own (symmetric) padding.
/// </summary>
public sealed class Downsample2D : Module
{
    public Downsample2D(int channels)
    {
        Conv = Add("conv", new Conv2d(channels, channels, 3, stride: 2, padding: 0));
    }

    public Conv2d Conv { get; }

    // x [B, C, H, W] -> [B, C, floor((H - 2) / 2) + 1, floor((W - 2) / 2) + 1]
    public Tensor Forward(Tensor x) => Scoped.Run(() =>
    {
        int b = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        Tensor padded = Ops.Concat([x, Tensor.Zeros([b, c, h, 1])], 3);             // [B, C, H, W + 1]  pad right
        padded = Ops.Concat([padded, Tensor.Zeros([b, c, 1, w + 1])], 2);           // [B, C, H + 1, W + 1]  pad bottom
        return Conv.Forward(padded);
    });
}
