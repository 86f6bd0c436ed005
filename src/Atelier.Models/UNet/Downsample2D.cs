using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// Halves the resolution with a 3x3 convolution of stride 2 and padding 1 (diffusers <c>Downsample2D</c>,
/// use_conv=True; G14): an H x W map becomes ceil(H/2) x ceil(W/2).
/// </summary>
public sealed class Downsample2D : Module
{
    public Downsample2D(int channels)
    {
        Conv = Add("conv", new Conv2d(channels, channels, 3, stride: 2, padding: 1));
    }

    public Conv2d Conv { get; }

    // [B, C, H, W] -> [B, C, ceil(H/2), ceil(W/2)]
    public Tensor Forward(Tensor x) => Conv.Forward(x);
}
