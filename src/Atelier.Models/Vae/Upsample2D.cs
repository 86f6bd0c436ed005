using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>The decoder's upsampler (diffusers <c>Upsample2D</c> with use_conv): nearest-neighbour 2x, then a 3x3 convolution.</summary>
public sealed class Upsample2D : Module
{
    public Upsample2D(int channels)
    {
        Conv = Add("conv", new Conv2d(channels, channels, 3, padding: 1));
    }

    public Conv2d Conv { get; }

    // x [B, C, H, W] -> [B, C, 2H, 2W]
    public Tensor Forward(Tensor x) => Scoped.Run(() => Conv.Forward(x.UpsampleNearest(2)));
}
