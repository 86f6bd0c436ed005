using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// Self-attention over the pixels of a feature map whose keys and values are extended by the conditioning tokens:
/// GLIDE's <c>AttentionBlock</c> with <c>encoder_channels</c> (Nichol et al. 2021 §2.3: "the token embeddings … are
/// separately projected to the dimensionality of every attention layer … and then concatenated to the attention
/// context at each layer"); unCLIP's decoder keeps it (Ramesh et al. 2022 §2.1). diffusers names it an
/// <c>Attention</c> with <c>added_kv_proj_dim</c>: k = [add_k_proj(ctx); to_k(x)], v = [add_v_proj(ctx); to_v(x)].
/// to_out.0 starts at zero (GLIDE zero_module), so a fresh block is the identity.
/// </summary>
/// <remarks>Shapes: B batch, C channels, N = H·W pixel tokens, M context tokens, heads of width D (C = heads·D).</remarks>
public sealed class MiniAttentionBlock : Module
{
    public MiniAttentionBlock(int channels, int headChannels, int contextDim, int groups)
    {
        if (channels % headChannels != 0)
            throw new ArgumentException($"MiniAttentionBlock: {channels} channels do not split into heads of {headChannels}.");
        Channels = channels;
        Heads = channels / headChannels;
        HeadChannels = headChannels;
        GroupNorm = Add("group_norm", new GroupNorm(groups, channels));
        ToQ = Add("to_q", new Linear(channels, channels));
        ToK = Add("to_k", new Linear(channels, channels));
        ToV = Add("to_v", new Linear(channels, channels));
        AddKProj = Add("add_k_proj", new Linear(contextDim, channels));
        AddVProj = Add("add_v_proj", new Linear(contextDim, channels));
        ToOut = Add("to_out", new ModuleList<Linear>([new Linear(channels, channels)]));
    }

    public int Channels { get; }
    public int Heads { get; }
    public int HeadChannels { get; }
    public GroupNorm GroupNorm { get; }
    public Linear ToQ { get; }
    public Linear ToK { get; }
    public Linear ToV { get; }
    public Linear AddKProj { get; }
    public Linear AddVProj { get; }
    public ModuleList<Linear> ToOut { get; }

    /// <summary>Parameters that start at zero so the block starts as the identity.</summary>
    public IEnumerable<Parameter> ZeroInitialized => [ToOut[0].Weight, ToOut[0].Bias!];

    // x [B, C, H, W], context [B, M, contextDim] -> [B, C, H, W]
    public Tensor Forward(Tensor x, Tensor context)
    {
        int b = x.Shape[0], c = x.Shape[1], height = x.Shape[2], width = x.Shape[3], n = height * width, m = context.Shape[1];
        Tensor h = GroupNorm.Forward(x).Reshape(b, c, n).Transpose(1, 2);                  // [B, N, C]
        Tensor q = ToQ.Forward(h);                                                          // [B, N, C]
        Tensor k = Ops.Concat([AddKProj.Forward(context), ToK.Forward(h)], 1);             // [B, M + N, C]
        Tensor v = Ops.Concat([AddVProj.Forward(context), ToV.Forward(h)], 1);             // [B, M + N, C]
        Tensor o = Ops.ScaledDotProductAttention(
            q.View(b, n, Heads, HeadChannels).Transpose(1, 2),                              // [B, heads, N, D]
            k.View(b, m + n, Heads, HeadChannels).Transpose(1, 2),                          // [B, heads, M + N, D]
            v.View(b, m + n, Heads, HeadChannels).Transpose(1, 2));                         // [B, heads, M + N, D]
        o = ToOut[0].Forward(o.Transpose(1, 2).Reshape(b, n, c));                          // [B, N, C]
        return o.Transpose(1, 2).Reshape(b, c, height, width).Add(x);                      // [B, C, H, W]
    }
}
