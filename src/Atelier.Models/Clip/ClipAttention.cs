using Atelier.Formats.Checkpoints;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Clip;

/// <summary>
/// Multi-head self-attention of a CLIP text layer (transformers <c>CLIPAttention</c>): q, k, v and out projections
/// with bias, scale head_dim^-0.5, and the causal mask (query i sees keys j ≤ i). No padding mask: Stable Diffusion
/// runs the text tower without one, so padding tokens attend like any other (gotcha G4).
/// </summary>
/// <remarks>
/// transformers scales q before QKᵀ; the fused attention op scales the product. The two differ by float rounding only.
/// </remarks>
public sealed class ClipAttention : Module
{
    private readonly float _scale;

    public ClipAttention(ClipTextConfig config)
    {
        Heads = config.NumAttentionHeads;
        HeadDim = config.HeadDim;
        _scale = (float)Math.Pow(HeadDim, -0.5);
        int d = config.HiddenSize;
        KProj = Add("k_proj", new Linear(d, d));
        VProj = Add("v_proj", new Linear(d, d));
        QProj = Add("q_proj", new Linear(d, d));
        OutProj = Add("out_proj", new Linear(d, d));
    }

    public int Heads { get; }
    public int HeadDim { get; }
    public Linear KProj { get; }
    public Linear VProj { get; }
    public Linear QProj { get; }
    public Linear OutProj { get; }

    // x [B, N, D] -> [B, N, D]
    public Tensor Forward(Tensor x)
    {
        int b = x.Shape[0], n = x.Shape[1], d = x.Shape[2];
        Tensor q = QProj.Forward(x).View(b, n, Heads, HeadDim).Transpose(1, 2);  // [B, H, N, Dh]
        Tensor k = KProj.Forward(x).View(b, n, Heads, HeadDim).Transpose(1, 2);  // [B, H, N, Dh]
        Tensor v = VProj.Forward(x).View(b, n, Heads, HeadDim).Transpose(1, 2);  // [B, H, N, Dh]
        Tensor o = Ops.ScaledDotProductAttention(q, k, v, _scale, causal: true); // [B, H, N, Dh]
        Tensor merged = o.Transpose(1, 2).Reshape(b, n, d);                      // [B, N, D]
        return OutProj.Forward(merged);                                          // [B, N, D]
    }
}
