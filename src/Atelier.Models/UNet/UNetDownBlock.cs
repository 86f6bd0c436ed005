using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// A level of the UNet's contracting path (<see cref="DownBlock2D"/>, <see cref="CrossAttnDownBlock2D"/>): it returns
/// the hidden state and appends every output the expanding path will concatenate back (G14).
/// </summary>
public abstract class UNetDownBlock : Module
{
    /// <summary>x [B, in, H, W] → [B, out, H', W']; each ResNet(+attention) output and the downsampler's output are appended to <paramref name="skips"/>.</summary>
    public abstract Tensor Forward(Tensor x, Tensor temb, Tensor context, List<Tensor> skips);
}
