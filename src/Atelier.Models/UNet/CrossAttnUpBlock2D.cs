using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// An expanding level with text conditioning (diffusers <c>CrossAttnUpBlock2D</c>): [h, skip] → ResNet → spatial
/// transformer, repeated, then an optional upsampler.
/// </summary>
public sealed class CrossAttnUpBlock2D : UNetUpBlock
{
    /// <param name="inChannels">Width of the deepest skip this block takes (the next-lower level's output width).</param>
    /// <param name="prevOutputChannels">Width of the hidden state arriving from the level below.</param>
    public CrossAttnUpBlock2D(int inChannels, int prevOutputChannels, int outChannels, int tembChannels, int layers, int groups, float eps, bool addUpsample,
        int heads, int transformerLayers, int crossAttentionDim, bool useLinearProjection)
    {
        Resnets = Add("resnets", new ModuleList<ResnetBlock2D>(Enumerable.Range(0, layers).Select(i =>
        {
            int skipChannels = i == layers - 1 ? inChannels : outChannels;
            int hiddenChannels = i == 0 ? prevOutputChannels : outChannels;
            return new ResnetBlock2D(hiddenChannels + skipChannels, outChannels, tembChannels, groups, eps);
        })));
        Attentions = Add("attentions", new ModuleList<Transformer2DModel>(
            Enumerable.Range(0, layers).Select(_ => new Transformer2DModel(outChannels, heads, transformerLayers, crossAttentionDim, groups, useLinearProjection))));
        Upsamplers = addUpsample ? Add("upsamplers", new ModuleList<Upsample2D>([new Upsample2D(outChannels)])) : null;
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }
    public ModuleList<Transformer2DModel> Attentions { get; }
    public ModuleList<Upsample2D>? Upsamplers { get; }

    public override int SkipCount => Resnets.Count;

    // x [B, prev, H, W] -> [B, out, 2H, 2W] (or [B, out, H, W] at the last level)
    public override Tensor Forward(Tensor x, List<Tensor> skips, Tensor temb, Tensor context, (int Height, int Width)? upsampleSize)
    {
        using var scope = TensorScope.Begin();
        Tensor h = x;
        for (int i = 0; i < Resnets.Count; i++)
        {
            h = Ops.Concat([h, PopSkip(skips)], 1);                           // [B, C + skip, H, W]
            h = Resnets[i].Forward(h, temb);                                  // [B, out, H, W]
            h = Attentions[i].Forward(h, context);                            // [B, out, H, W]
        }
        if (Upsamplers is not null) h = Upsamplers[0].Forward(h, upsampleSize); // [B, out, 2H, 2W]
        return scope.Keep(h);
    }
}
