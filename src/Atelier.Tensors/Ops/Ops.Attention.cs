using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Scaled dot-product attention softmax(scale · q kᵀ [+ causal mask]) v, as
    /// torch.nn.functional.scaled_dot_product_attention: q [B, H, Nq, D], k and v [B, H, Nk, D] (or [B, N, D]
    /// for a single head) → [B, H, Nq, D]. Computed tile by tile by the fused kernel: no Nq × Nk matrix is ever
    /// held. Operands whose last dimension is contiguous are read in place, so the usual
    /// <c>proj.View(B, N, H, D).Transpose(1, 2)</c> needs no copy; the result is laid out as [B, Nq, H, D] in memory
    /// (returned as its [B, H, Nq, D] view) so <c>.Transpose(1, 2).Reshape(B, Nq, H·D)</c> is free too.
    /// <paramref name="scale"/> defaults to 1/√D; <paramref name="causal"/> lets query i see keys j ≤ i + Nk - Nq.
    /// </summary>
    public static unsafe Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, float? scale = null, bool causal = false)
    {
        const string op = "scaled_dot_product_attention";
        using var profile = OpProfiler.Measure(OpProfiler.ByShape ? $"attention q {q.Shape} k {k.Shape}" : op,
            4.0 * q.ElementCount * (k.Rank >= 2 ? k.Shape[-2] : 0));
        if (q.Rank == 3 && k.Rank == 3 && v.Rank == 3)
            return ScaledDotProductAttention(q.Unsqueeze(1), k.Unsqueeze(1), v.Unsqueeze(1), scale, causal).Squeeze(1);
        Elementwise.RequireFloat(op, q);
        Elementwise.RequireFloat(op, k);
        Elementwise.RequireFloat(op, v);
        if (q.Rank != 4 || k.Rank != 4 || v.Rank != 4)
            throw new TensorShapeException(op, $"q {q.Shape}, k {k.Shape}, v {v.Shape}", "q [B, H, Nq, D], k and v [B, H, Nk, D] (or all three [B, N, D])");
        int b = q.Shape[0], h = q.Shape[1], nq = q.Shape[2], d = q.Shape[3], nk = k.Shape[2];
        if (k.Shape != new Shape(b, h, nk, d) || v.Shape != new Shape(b, h, nk, d))
            throw new TensorShapeException(op, $"q {q.Shape}, k {k.Shape}, v {v.Shape}", $"k and v of shape [{b}, {h}, Nk, {d}] (same batch, heads and head size as q)");
        float s = scale ?? 1f / MathF.Sqrt(d);
        Tensor fq = RowContiguousF32(q), fk = RowContiguousF32(k), fv = RowContiguousF32(v);
        var storage = Tensor.Empty([b, nq, h, d]);                       // memory layout [B, Nq, H, D]
        Tensor o = storage.Permute(0, 2, 1, 3);                          // [B, H, Nq, D] view
        bool record = Autograd.ShouldRecord(q, k, v);
        Tensor? lse = record ? Tensor.Empty([b, h, nq]) : null;
        if (o.ElementCount > 0)
            AttentionKernel.Forward(b, h, nq, nk, d, fq.F32, Layout(fq), fk.F32, Layout(fk), fv.F32, Layout(fv), o.F32, Layout(o), s, causal, lse is null ? null : lse.F32);
        GC.KeepAlive(fq);
        GC.KeepAlive(fk);
        GC.KeepAlive(fv);
        if (record)
        {
            var node = Autograd.Record(o, op, Derivatives.Attention, q, k, v);
            node.Saved = [fq, fk, fv, o.Detach(), lse];
            node.Floats = [s];
            node.Ints = [causal ? 1 : 0];
        }
        return o;
    }

    /// <summary>float32 with a contiguous last dimension (as the attention kernel reads rows), copying only when needed.</summary>
    internal static Tensor RowContiguousF32(Tensor t) => t.DType == DType.F32 && (t.Strides[^1] == 1 || t.Shape[-1] == 1) ? t : t.AsF32Contiguous();

    internal static AttentionLayout Layout(Tensor t) => new(t.Strides[0], t.Strides[1], t.Strides[2]);
}
