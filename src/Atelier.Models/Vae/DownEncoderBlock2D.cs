using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>One encoder level (diffusers <c>DownEncoderBlock2D</c>): <c>layers_per_block</c> ResNets, then a stride-2 downsampler except at the last level.</summary>
public sealed class DownEncoderBlock2D : Module
{
    public DownEncoderBlock2D(int inChannels, int outChannels, int layers, int groups, float eps, bool addDownsample)
    {
        Resnets = Add("resnets", new ModuleList<ResnetBlock2D>(
            Enumerable.Range(0, layers).Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, groups, eps))));
        Downsamplers = Add("downsamplers", new ModuleList<Downsample2D>(addDownsample ? [new Downsample2D(outChannels)] : []));
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }
    public ModuleList<Downsample2D> Downsamplers { get; }

    // x [B, Cin, H, W] -> [B, Cout, H', W'] (H' = H/2 rounded as Downsample2D, or H at the last level)
    public Tensor Forward(Tensor x) => Scoped.Run(() =>
    {
        Tensor h = x;
        foreach (var resnet in Resnets)
            h = resnet.Forward(h);       // [B, Cout, H, W]
        foreach (var down in Downsamplers)
            h = down.Forward(h);         // [B, Cout, H', W']
        return h;
    });
}
