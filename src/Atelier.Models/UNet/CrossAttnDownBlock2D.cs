using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// A contracting level with text conditioning (diffusers <c>CrossAttnDownBlock2D</c>): ResNet → spatial transformer,
/// repeated, then an optional downsampler.
/// </summary>
public sealed class CrossAttnDownBlock2D : UNetDownBlock
{
    public CrossAttnDownBlock2D(int inChannels, int outChannels, int tembChannels, int layers, int groups, float eps, bool addDownsample,
        int heads, int transformerLayers, int crossAttentionDim, bool useLinearProjection)
    {
        Resnets = Add("resnets", new ModuleList<ResnetBlock2D>(
            Enumerable.Range(0, layers).Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, tembChannels, groups, eps))));
        Attentions = Add("attentions", new ModuleList<Transformer2DModel>(
            Enumerable.Range(0, layers).Select(_ => new Transformer2DModel(outChannels, heads, transformerLayers, crossAttentionDim, groups, useLinearProjection))));
        Downsamplers = addDownsample ? Add("downsamplers", new ModuleList<Downsample2D>([new Downsample2D(outChannels)])) : null;
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }
    public ModuleList<Transformer2DModel> Attentions { get; }
    public ModuleList<Downsample2D>? Downsamplers { get; }

    // x [B, in, H, W] -> [B, out, H/2, W/2] (or [B, out, H, W] at the last level)
    public override Tensor Forward(Tensor x, Tensor temb, Tensor context, List<Tensor> skips)
    {
        using var scope = TensorScope.Begin();
        Tensor h = x;
        for (int i = 0; i < Resnets.Count; i++)
        {
            h = Resnets[i].Forward(h, temb);                                  // [B, out, H, W]
            h = Attentions[i].Forward(h, context);                            // [B, out, H, W]
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
