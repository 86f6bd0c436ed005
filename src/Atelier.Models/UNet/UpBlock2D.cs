using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>An expanding level without attention (diffusers <c>UpBlock2D</c>): [h, skip] → ResNet, repeated, then an optional upsampler.</summary>
public sealed class UpBlock2D : UNetUpBlock
{
    /// <param name="inChannels">Width of the deepest skip this block takes (the next-lower level's output width).</param>
    /// <param name="prevOutputChannels">Width of the hidden state arriving from the level below.</param>
    public UpBlock2D(int inChannels, int prevOutputChannels, int outChannels, int tembChannels, int layers, int groups, float eps, bool addUpsample)
    {
        Resnets = Add("resnets", new ModuleList<ResnetBlock2D>(Enumerable.Range(0, layers).Select(i =>
        {
            int skipChannels = i == layers - 1 ? inChannels : outChannels;
            int hiddenChannels = i == 0 ? prevOutputChannels : outChannels;
            return new ResnetBlock2D(hiddenChannels + skipChannels, outChannels, tembChannels, groups, eps);
        })));
        Upsamplers = addUpsample ? Add("upsamplers", new ModuleList<Upsample2D>([new Upsample2D(outChannels)])) : null;
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }
    public ModuleList<Upsample2D>? Upsamplers { get; }

    public override int SkipCount => Resnets.Count;

    // x [B, prev, H, W] -> [B, out, 2H, 2W] (or [B, out, H, W] at the last level)
    public override Tensor Forward(Tensor x, List<Tensor> skips, Tensor temb, Tensor context, (int Height, int Width)? upsampleSize)
    {
        using var scope = TensorScope.Begin();
        Tensor h = x;
        foreach (var resnet in Resnets)
        {
            h = Ops.Concat([h, PopSkip(skips)], 1);                           // [B, C + skip, H, W]
            h = resnet.Forward(h, temb);                                      // [B, out, H, W]
        }
        if (Upsamplers is not null) h = Upsamplers[0].Forward(h, upsampleSize); // [B, out, 2H, 2W]
        return scope.Keep(h);
    }
}
