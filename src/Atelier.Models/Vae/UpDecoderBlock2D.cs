using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>One decoder level (diffusers <c>UpDecoderBlock2D</c>): <c>layers_per_block + 1</c> ResNets, then a 2x upsampler except at the last level.</summary>
public sealed class UpDecoderBlock2D : Module
{
    public UpDecoderBlock2D(int inChannels, int outChannels, int layers, int groups, float eps, bool addUpsample)
    {
        Resnets = Add("resnets", new ModuleList<ResnetBlock2D>(
            Enumerable.Range(0, layers).Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, groups, eps))));
        Upsamplers = Add("upsamplers", new ModuleList<Upsample2D>(addUpsample ? [new Upsample2D(outChannels)] : []));
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }
    public ModuleList<Upsample2D> Upsamplers { get; }

    // x [B, Cin, H, W] -> [B, Cout, 2H, 2W] (or [B, Cout, H, W] at the last level)
    public Tensor Forward(Tensor x) => Scoped.Run(() =>
    {
        Tensor h = x;
        foreach (var resnet in Resnets)
            h = resnet.Forward(h);       // [B, Cout, H, W]
        foreach (var up in Upsamplers)
            h = up.Forward(h);           // [B, Cout, 2H, 2W]
        return h;
    });
}
