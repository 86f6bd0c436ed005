using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// The bottom of <see cref="MiniDecoder"/>: residual block, attention, residual block at the lowest resolution
/// (GLIDE <c>middle_block</c>; diffusers <c>UNetMidBlock2DSimpleCrossAttn</c> keys <c>resnets.0</c>,
/// <c>attentions.0</c>, <c>resnets.1</c>).
/// </summary>
public sealed class MiniMidBlock : Module
{
    public MiniMidBlock(int channels, int embedChannels, int headChannels, int contextDim, int groups)
    {
        Resnets = Add("resnets", new ModuleList<MiniResnetBlock>(
            [new MiniResnetBlock(channels, channels, embedChannels, groups), new MiniResnetBlock(channels, channels, embedChannels, groups)]));
        Attentions = Add("attentions", new ModuleList<MiniAttentionBlock>([new MiniAttentionBlock(channels, headChannels, contextDim, groups)]));
    }

    public ModuleList<MiniResnetBlock> Resnets { get; }
    public ModuleList<MiniAttentionBlock> Attentions { get; }

    // h [B, C, s, s], emb [B, E], tokens [B, M, T] -> [B, C, s, s]
    public Tensor Forward(Tensor h, Tensor emb, Tensor tokens)
    {
        h = Resnets[0].Forward(h, emb);
        h = Attentions[0].Forward(h, tokens);
        return Resnets[1].Forward(h, emb);
    }
}
