using Atelier.Nn;

namespace Atelier.Models.Mini;

/// <summary>
/// One resolution level of <see cref="MiniDecoder"/> on the way down or up (diffusers <c>DownBlock2D</c> /
/// <c>UpBlock2D</c> and their attention variants, registered as <c>resnets.j</c>, <c>attentions.j</c>,
/// <c>downsamplers.0.conv</c> / <c>upsamplers.0.conv</c>). The level only holds the layers: the order in which they
/// run, and the skip connections between the two paths, are in <see cref="MiniDecoder.Forward"/>.
/// </summary>
public sealed class MiniDecoderLevel : Module
{
    public MiniDecoderLevel(IEnumerable<MiniResnetBlock> resnets, IEnumerable<MiniAttentionBlock>? attentions, Conv2d? resample, string resampleName)
    {
        Resnets = Add("resnets", new ModuleList<MiniResnetBlock>(resnets));
        Attentions = attentions is null ? null : Add("attentions", new ModuleList<MiniAttentionBlock>(attentions));
        if (Attentions is not null && Attentions.Count != Resnets.Count)
            throw new ArgumentException($"MiniDecoderLevel: {Attentions.Count} attention blocks for {Resnets.Count} residual blocks; expected one after each.");
        Resample = resample is null ? null : Add(resampleName, new ModuleList<ResampleConv>([new ResampleConv(resample)]))[0].Conv;
    }

    public ModuleList<MiniResnetBlock> Resnets { get; }
    public ModuleList<MiniAttentionBlock>? Attentions { get; }

    /// <summary>The stride-2 convolution (down) or the convolution followed by nearest ×2 upsampling (up); null at the end of a path.</summary>
    public Conv2d? Resample { get; }

    /// <summary>Holds the resampling convolution under the key <c>conv</c> (diffusers Downsample2D / Upsample2D).</summary>
    public sealed class ResampleConv : Module
    {
        public ResampleConv(Conv2d conv) => Conv = Add("conv", conv);

        public Conv2d Conv { get; }
    }
}
