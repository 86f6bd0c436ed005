using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>
/// diffusers <c>ResnetBlock2D</c> as the VAE builds it (no time embedding, output_scale_factor 1, GroupNorm eps 1e-6;
/// gotchas G10, G11): out = shortcut(x) + conv2(SiLU(norm2(conv1(SiLU(norm1(x)))))), the shortcut a 1x1
/// <c>conv_shortcut</c> only when the channel count changes.
/// </summary>
public sealed class ResnetBlock2D : Module
{
    public ResnetBlock2D(int inChannels, int outChannels, int groups, float eps)
    {
        Norm1 = Add("norm1", new GroupNorm(groups, inChannels, eps));
        Conv1 = Add("conv1", new Conv2d(inChannels, outChannels, 3, padding: 1));
        Norm2 = Add("norm2", new GroupNorm(groups, outChannels, eps));
        Conv2 = Add("conv2", new Conv2d(outChannels, outChannels, 3, padding: 1));
        if (inChannels != outChannels)
            ConvShortcut = Add("conv_shortcut", new Conv2d(inChannels, outChannels, 1));
    }

    public GroupNorm Norm1 { get; }
    public Conv2d Conv1 { get; }
    public GroupNorm Norm2 { get; }
    public Conv2d Conv2 { get; }
    public Conv2d? ConvShortcut { get; }

    // x [B, Cin, H, W] -> [B, Cout, H, W]
    public Tensor Forward(Tensor x) => Scoped.Run(() =>
    {
        Tensor h = Scoped.Run(() => Conv1.Forward(Norm1.Forward(x).Silu()));   // [B, Cout, H, W]
        h = Scoped.Run(() => Conv2.Forward(Norm2.Forward(h).Silu()));          // [B, Cout, H, W]
        Tensor shortcut = ConvShortcut?.Forward(x) ?? x;                        // [B, Cout, H, W]
        return shortcut + h;
    });
}
