using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// Multi-head self-attention with q/k/v/out projections (as transformers' <c>CLIPAttention</c>; the SD CLIP text
/// model on branch clip-vae has the same layout), causal for the text tower, full for the ViT image tower.
/// </summary>
public sealed class MiniSelfAttention : Module
{
    public MiniSelfAttention(int width, int heads, bool causal)
    {
        Heads = heads;
        HeadDim = width / heads;
        Causal = causal;
        QProj = Add("q_proj", new Linear(width, width));
        KProj = Add("k_proj", new Linear(width, width));
        VProj = Add("v_proj", new Linear(width, width));
        OutProj = Add("out_proj", new Linear(width, width));
    }

    public int Heads { get; }
    public int HeadDim { get; }
    public bool Causal { get; }
    public Linear QProj { get; }
    public Linear KProj { get; }
    public Linear VProj { get; }
    public Linear OutProj { get; }

    // x [B, N, D] -> [B, N, D]
    public Tensor Forward(Tensor x)
    {
        int b = x.Shape[0], n = x.Shape[1], d = x.Shape[2];
        Tensor q = QProj.Forward(x).View(b, n, Heads, HeadDim).Transpose(1, 2);   // [B, H, N, Dh]
        Tensor k = KProj.Forward(x).View(b, n, Heads, HeadDim).Transpose(1, 2);   // [B, H, N, Dh]
        Tensor v = VProj.Forward(x).View(b, n, Heads, HeadDim).Transpose(1, 2);   // [B, H, N, Dh]
        Tensor o = Ops.ScaledDotProductAttention(q, k, v, causal: Causal);        // [B, H, N, Dh]
        return OutProj.Forward(o.Transpose(1, 2).Reshape(b, n, d));               // [B, N, D]
    }
}
