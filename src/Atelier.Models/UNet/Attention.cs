using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// Multi-head attention of the UNet's transformer blocks (diffusers <c>Attention</c> with the scaled-dot-product
/// processor; "Attention Is All You Need" §3.2): q = to_q(x), k = to_k(ctx), v = to_v(ctx) (no biases), heads of
/// width head_dim, softmax(q kᵀ · head_dim^-0.5) v, then to_out.0 (with bias). Self-attention when no context is
/// given. <c>upcast_attention</c> is moot here: scores are always computed in float32 (G16).
/// </summary>
/// <remarks>Shapes: B batch, N query tokens, M context tokens, H heads, D head width, C = H·D.</remarks>
public sealed class Attention : Module
{
    public Attention(int queryDim, int heads, int headDim, int? crossAttentionDim = null)
    {
        if (heads <= 0 || headDim <= 0)
            throw new ArgumentException($"Attention: {heads} heads of width {headDim}; both must be positive.");
        Heads = heads;
        HeadDim = headDim;
        int inner = heads * headDim, context = crossAttentionDim ?? queryDim;
        ContextDim = context;
        ToQ = Add("to_q", new Linear(queryDim, inner, bias: false));
        ToK = Add("to_k", new Linear(context, inner, bias: false));
        ToV = Add("to_v", new Linear(context, inner, bias: false));
        ToOut = Add("to_out", new ModuleList<Linear>([new Linear(inner, queryDim)]));
    }

    public int Heads { get; }
    public int HeadDim { get; }
    public int ContextDim { get; }
    public Linear ToQ { get; }
    public Linear ToK { get; }
    public Linear ToV { get; }
    public ModuleList<Linear> ToOut { get; }

    // x [B, N, C], context [B, M, ContextDim] (null: x), residual [B, N, C] (added to the output, as diffusers'
    // residual_connection; null: none) -> [B, N, C]
    public Tensor Forward(Tensor x, Tensor? context = null, Tensor? residual = null)
    {
        using var scope = TensorScope.Begin();
        context ??= x;
        int b = x.Shape[0], n = x.Shape[1], m = context.Shape[1];
        Tensor q = ToQ.Forward(x).View(b, n, Heads, HeadDim).Transpose(1, 2);       // [B, H, N, D] (view)
        Tensor k = ToK.Forward(context).View(b, m, Heads, HeadDim).Transpose(1, 2); // [B, H, M, D] (view)
        Tensor v = ToV.Forward(context).View(b, m, Heads, HeadDim).Transpose(1, 2); // [B, H, M, D] (view)
        Tensor o = Ops.ScaledDotProductAttention(q, k, v, 1f / MathF.Sqrt(HeadDim)); // [B, H, N, D] (laid out [B, N, H, D])
        o = o.Transpose(1, 2).Reshape(b, n, Heads * HeadDim);                       // [B, N, C] (view)
        return scope.Keep(residual is null ? ToOut[0].Forward(o) : ToOut[0].Forward(o, residual));
    }
}
