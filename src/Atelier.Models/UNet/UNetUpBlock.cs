using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// A level of the UNet's expanding path (<see cref="UpBlock2D"/>, <see cref="CrossAttnUpBlock2D"/>): each ResNet
/// takes the last remaining skip connection, concatenated after the hidden state (G14).
/// </summary>
public abstract class UNetUpBlock : Module
{
    /// <summary>Number of skip connections this block consumes (its ResNet count).</summary>
    public abstract int SkipCount { get; }

    /// <summary>
    /// x [B, C, H, W] → [B, out, H', W']; removes <see cref="SkipCount"/> tensors from the end of <paramref name="skips"/>.
    /// <paramref name="upsampleSize"/> is the resolution the upsampler must reach (null: twice the input).
    /// </summary>
    public abstract Tensor Forward(Tensor x, List<Tensor> skips, Tensor temb, Tensor context, (int Height, int Width)? upsampleSize);

    /// <summary>The last skip connection, removed from the list.</summary>
    protected static Tensor PopSkip(List<Tensor> skips)
    {
        if (skips.Count == 0)
            throw new InvalidOperationException("UNet up block: no skip connection left to concatenate (down and up blocks do not pair up).");
        Tensor skip = skips[^1];
        skips.RemoveAt(skips.Count - 1);
        return skip;
    }
}
