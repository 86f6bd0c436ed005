using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// A pre-activation residual block (He et al. 2016, "Identity Mappings in Deep Residual Networks", Fig. 1b) with
/// GroupNorm (Wu &amp; He 2018) instead of BatchNorm and SiLU: y = shortcut(x) + conv2(act(norm2(conv1(act(norm1(x)))))).
/// The first conv carries the stride; the shortcut is a strided 1x1 conv when the shape changes.
/// </summary>
public sealed class MiniResidualBlock : Module
{
    public MiniResidualBlock(int inChannels, int outChannels, int stride, int groups)
    {
        Norm1 = Add("norm1", new GroupNorm(groups, inChannels));
        Conv1 = Add("conv1", new Conv2d(inChannels, outChannels, 3, stride, padding: 1));
        Norm2 = Add("norm2", new GroupNorm(groups, outChannels));
        Conv2 = Add("conv2", new Conv2d(outChannels, outChannels, 3, 1, padding: 1));
        Shortcut = inChannels != outChannels || stride != 1
            ? Add("shortcut", new Conv2d(inChannels, outChannels, 1, stride, bias: false))
            : null;
    }

    public GroupNorm Norm1 { get; }
    public Conv2d Conv1 { get; }
    public GroupNorm Norm2 { get; }
    public Conv2d Conv2 { get; }
    public Conv2d? Shortcut { get; }

    // x [B, Cin, H, W] -> [B, Cout, H/stride, W/stride]
    public Tensor Forward(Tensor x)
    {
        Tensor h = Conv1.Forward(Norm1.Forward(x).Silu());     // [B, Cout, H', W']
        h = Conv2.Forward(Norm2.Forward(h).Silu());            // [B, Cout, H', W']
        return (Shortcut is null ? x : Shortcut.Forward(x)) + h;
    }

    /// <summary>FLOPs (2 × multiply-adds) of the convolutions for an input of <paramref name="size"/>².</summary>
    internal long Flops(int size)
    {
        int output = size / Conv1.Stride;
        long macs = (long)output * output * Conv1.OutChannels * Conv1.InChannels * 9
                  + (long)output * output * Conv2.OutChannels * Conv2.InChannels * 9
                  + (Shortcut is null ? 0 : (long)output * output * Shortcut.OutChannels * Shortcut.InChannels);
        return 2 * macs;
    }
}
