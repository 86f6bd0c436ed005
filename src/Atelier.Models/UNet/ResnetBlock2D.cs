using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// The UNet's residual block (diffusers <c>ResnetBlock2D</c>, "default" time conditioning; DDPM, Ho et al. 2020,
/// after Wide ResNet): h = conv1(SiLU(GN1(x))) + Linear(SiLU(temb)); h = conv2(SiLU(GN2(h)));
/// out = (shortcut(x) + h) / output_scale_factor, with a 1x1 <c>conv_shortcut</c> only when the width changes (G11).
/// Dropout is an identity at inference.
/// </summary>
public sealed class ResnetBlock2D : Module
{
    public ResnetBlock2D(int inChannels, int outChannels, int tembChannels, int groups, float eps, float outputScaleFactor = 1f)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        OutputScaleFactor = outputScaleFactor;
        Norm1 = Add("norm1", new GroupNorm(groups, inChannels, eps));
        Conv1 = Add("conv1", new Conv2d(inChannels, outChannels, 3, padding: 1));
        TimeEmbProj = Add("time_emb_proj", new Linear(tembChannels, outChannels));
        Norm2 = Add("norm2", new GroupNorm(groups, outChannels, eps));
        Conv2 = Add("conv2", new Conv2d(outChannels, outChannels, 3, padding: 1));
        ConvShortcut = inChannels != outChannels ? Add("conv_shortcut", new Conv2d(inChannels, outChannels, 1)) : null;
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public float OutputScaleFactor { get; }
    public GroupNorm Norm1 { get; }
    public Conv2d Conv1 { get; }
    public Linear TimeEmbProj { get; }
    public GroupNorm Norm2 { get; }
    public Conv2d Conv2 { get; }
    public Conv2d? ConvShortcut { get; }

    // x [B, in, H, W], temb [B, T] -> [B, out, H, W]
    public Tensor Forward(Tensor x, Tensor temb)
    {
        using var scope = TensorScope.Begin();
        int b = x.Shape[0];
        Tensor h = Conv1.Forward(Norm1.ForwardSilu(x));                       // [B, out, H, W]
        Tensor t = TimeEmbProj.Forward(temb.Silu()).Reshape(b, OutChannels, 1, 1); // [B, out, 1, 1]
        h = h.Add(t);
        Tensor shortcut = ConvShortcut is null ? x : ConvShortcut.Forward(x); // [B, out, H, W]
        Tensor output = Conv2.Forward(Norm2.ForwardSilu(h), residual: shortcut); // conv2(...) + shortcut
        if (OutputScaleFactor != 1f) output = output.Div(OutputScaleFactor);
        return scope.Keep(output);
    }
}
