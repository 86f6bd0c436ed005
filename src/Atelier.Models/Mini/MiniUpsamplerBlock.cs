using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// A pre-activation residual block without time conditioning (He et al. 2016 "Identity Mappings", with GroupNorm):
/// x + conv2(SiLU(GN2(conv1(SiLU(GN1(x)))))). conv2 starts at zero, so a fresh block is the identity.
/// </summary>
public sealed class MiniUpsamplerBlock : Module
{
    public MiniUpsamplerBlock(int channels, int groups)
    {
        Norm1 = Add("norm1", new GroupNorm(groups, channels));
        Conv1 = Add("conv1", new Conv2d(channels, channels, 3, padding: 1));
        Norm2 = Add("norm2", new GroupNorm(groups, channels));
        Conv2 = Add("conv2", new Conv2d(channels, channels, 3, padding: 1));
    }

    public GroupNorm Norm1 { get; }
    public Conv2d Conv1 { get; }
    public GroupNorm Norm2 { get; }
    public Conv2d Conv2 { get; }

    public IEnumerable<Parameter> ZeroInitialized => [Conv2.Weight, Conv2.Bias!];

    // [B, C, H, W] -> same
    public Tensor Forward(Tensor x)
    {
        Tensor h = Conv1.Forward(Norm1.Forward(x).Silu());
        h = Conv2.Forward(Norm2.Forward(h).Silu());
        return x.Add(h);
    }
}
