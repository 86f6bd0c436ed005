using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>
/// diffusers <c>UNetMidBlock2D</c> as the VAE builds it (no time embedding): ResNet → attention → ResNet at the
/// lowest resolution. Without <c>mid_block_add_attention</c> the attention is absent (and so are its weights).
/// </summary>
public sealed class UNetMidBlock2D : Module
{
    public UNetMidBlock2D(int channels, int groups, float eps, bool addAttention)
    {
        Resnets = Add("resnets", new ModuleList<ResnetBlock2D>([new ResnetBlock2D(channels, channels, groups, eps), new ResnetBlock2D(channels, channels, groups, eps)]));
        Attentions = Add("attentions", new ModuleList<VaeAttention>(addAttention ? [new VaeAttention(channels, groups, eps)] : []));
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }
    public ModuleList<VaeAttention> Attentions { get; }

    // x [B, C, H, W] -> [B, C, H, W]
    public Tensor Forward(Tensor x)
    {
        Tensor h = Resnets[0].Forward(x);
        if (Attentions.Count > 0)
            h = Attentions[0].Forward(h);
        return Resnets[1].Forward(h);
    }
}
