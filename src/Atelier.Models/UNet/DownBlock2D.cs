using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>A contracting level without attention (diffusers <c>DownBlock2D</c>): ResNets, then an optional downsampler.</summary>
public sealed class DownBlock2D : UNetDownBlock
{
    public DownBlock2D(int inChannels, int outChannels, int tembChannels, int layers, int groups, float eps, bool addDownsample)
    {
        Resnets = Add("resnets", new ModuleList<ResnetBlock2D>(
            Enumerable.Range(0, layers).Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, tembChannels, groups, eps))));
        Downsamplers = addDownsample ? Add("downsamplers", new ModuleList<Downsample2D>([new Downsample2D(outChannels)])) : null;
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }
    public ModuleList<Downsample2D>? Downsamplers { get; }

    // x [B, in, H, W] -> [B, out, H/2, W/2] (or [B, out, H, W] at the last level)
    public override Tensor Forward(Tensor x, Tensor temb, Tensor context, List<Tensor> skips)
    {
        using var scope = TensorScope.Begin();
        Tensor h = x;
        foreach (var resnet in Resnets)
        {
            h = resnet.Forward(h, temb);                                      // [B, out, H, W]
            skips.Add(scope.Keep(h));
        }
        if (Downsamplers is not null)
        {
            h = Downsamplers[0].Forward(h);                                   // [B, out, ceil(H/2), ceil(W/2)]
            skips.Add(scope.Keep(h));
        }
        return h;
    }
}
