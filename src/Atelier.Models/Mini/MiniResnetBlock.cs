using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// The decoder's residual block: GLIDE's <c>ResBlock</c> with <c>use_scale_shift_norm</c> (Nichol et al. 2021, after
/// Dhariwal &amp; Nichol 2021 "AdaGN"), in diffusers' naming (<c>ResnetBlock2D</c>, time_embedding_norm="scale_shift"):
/// h = conv1(SiLU(GN1(x))); (scale, shift) = time_emb_proj(SiLU(emb)); h = conv2(SiLU(GN2(h)·(1 + scale) + shift));
/// out = shortcut(x) + h. conv2 starts at zero (GLIDE <c>zero_module</c>), so a fresh block is the identity.
/// </summary>
/// <remarks>
/// No inner <see cref="TensorScope"/>: in training the autograd graph must keep every intermediate until the
/// backward pass (the caller scopes a whole step). No dropout (the runs are far too short to overfit).
/// </remarks>
public sealed class MiniResnetBlock : Module
{
    public MiniResnetBlock(int inChannels, int outChannels, int embedChannels, int groups)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        Norm1 = Add("norm1", new GroupNorm(groups, inChannels));
        Conv1 = Add("conv1", new Conv2d(inChannels, outChannels, 3, padding: 1));
        TimeEmbProj = Add("time_emb_proj", new Linear(embedChannels, 2 * outChannels));
        Norm2 = Add("norm2", new GroupNorm(groups, outChannels));
        Conv2 = Add("conv2", new Conv2d(outChannels, outChannels, 3, padding: 1));
        ConvShortcut = inChannels != outChannels ? Add("conv_shortcut", new Conv2d(inChannels, outChannels, 1)) : null;
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public GroupNorm Norm1 { get; }
    public Conv2d Conv1 { get; }
    public Linear TimeEmbProj { get; }
    public GroupNorm Norm2 { get; }
    public Conv2d Conv2 { get; }
    public Conv2d? ConvShortcut { get; }

    /// <summary>Parameters that start at zero so the block starts as the identity (GLIDE zero_module).</summary>
    public IEnumerable<Parameter> ZeroInitialized => Conv2.Bias is null ? [Conv2.Weight] : [Conv2.Weight, Conv2.Bias];

    // x [B, in, H, W], emb [B, E] -> [B, out, H, W]
    public Tensor Forward(Tensor x, Tensor emb)
    {
        int b = x.Shape[0];
        Tensor h = Conv1.Forward(Norm1.Forward(x).Silu());                           // [B, out, H, W]
        Tensor scaleShift = TimeEmbProj.Forward(emb.Silu()).Reshape(b, 2 * OutChannels, 1, 1); // [B, 2·out, 1, 1]
        Tensor scale = scaleShift.Narrow(1, 0, OutChannels);                         // [B, out, 1, 1]
        Tensor shift = scaleShift.Narrow(1, OutChannels, OutChannels);               // [B, out, 1, 1]
        h = Norm2.Forward(h).Mul(scale.Add(1f)).Add(shift);                          // [B, out, H, W]
        h = Conv2.Forward(h.Silu());                                                 // [B, out, H, W]
        Tensor shortcut = ConvShortcut is null ? x : ConvShortcut.Forward(x);        // [B, out, H, W]
        return shortcut.Add(h);
    }
}
