using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>The bottleneck (diffusers <c>UNetMidBlock2DCrossAttn</c>, one layer): ResNet → spatial transformer → ResNet (G15).</summary>
public sealed class UNetMidBlock2DCrossAttn : Module
{
    public UNetMidBlock2DCrossAttn(int channels, int tembChannels, int groups, float eps, float outputScaleFactor,
        int heads, int transformerLayers, int crossAttentionDim, bool useLinearProjection)
    {
        Resnets = Add("resnets", new ModuleList<ResnetBlock2D>(
            Enumerable.Range(0, 2).Select(_ => new ResnetBlock2D(channels, channels, tembChannels, groups, eps, outputScaleFactor))));
        Attentions = Add("attentions", new ModuleList<Transformer2DModel>(
            [new Transformer2DModel(channels, heads, transformerLayers, crossAttentionDim, groups, useLinearProjection)]));
    }

    public ModuleList<ResnetBlock2D> Resnets { get; }
    public ModuleList<Transformer2DModel> Attentions { get; }

    // [B, C, H, W] -> [B, C, H, W]
    public Tensor Forward(Tensor x, Tensor temb, Tensor context)
    {
        using var scope = TensorScope.Begin();
        Tensor h = Resnets[0].Forward(x, temb);
        h = Attentions[0].Forward(h, context);
        h = Resnets[1].Forward(h, temb);
        return scope.Keep(h);
    }
}
