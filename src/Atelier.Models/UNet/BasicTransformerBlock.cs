using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// One pre-LayerNorm transformer layer of the UNet (diffusers <c>BasicTransformerBlock</c>, norm_type "layer_norm";
/// LDM, Rombach et al. 2022, §3.3): self-attention, cross-attention to the text, GEGLU feed-forward, each with a
/// residual (G13). LayerNorm eps 1e-5 with affine.
/// </summary>
public sealed class BasicTransformerBlock : Module
{
    // torch.nn.LayerNorm default, as diffusers builds norm1..3.
    private const float LayerNormEps = 1e-5f;

    public BasicTransformerBlock(int dim, int heads, int headDim, int crossAttentionDim)
    {
        Norm1 = Add("norm1", new LayerNorm(dim, LayerNormEps));
        Attn1 = Add("attn1", new Attention(dim, heads, headDim));
        Norm2 = Add("norm2", new LayerNorm(dim, LayerNormEps));
        Attn2 = Add("attn2", new Attention(dim, heads, headDim, crossAttentionDim));
        Norm3 = Add("norm3", new LayerNorm(dim, LayerNormEps));
        Ff = Add("ff", new FeedForward(dim));
    }

    public LayerNorm Norm1 { get; }
    public Attention Attn1 { get; }
    public LayerNorm Norm2 { get; }
    public Attention Attn2 { get; }
    public LayerNorm Norm3 { get; }
    public FeedForward Ff { get; }

    // x [B, N, C], context [B, M, cross_attention_dim] -> [B, N, C]
    public Tensor Forward(Tensor x, Tensor context)
    {
        using var scope = TensorScope.Begin();
        x = Attn1.Forward(Norm1.Forward(x), residual: x);                    // attn1(norm1(x)) + x
        x = Attn2.Forward(Norm2.Forward(x), context, residual: x);           // attn2(norm2(x), ctx) + x
        x = Ff.Forward(Norm3.Forward(x), residual: x);                       // ff(norm3(x)) + x
        return scope.Keep(x);
    }
}
