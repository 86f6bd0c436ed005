namespace Atelier.Tensors.Kernels;

/// <summary>
/// Scaled dot-product attention <c>O = softmax(scale * Q Kᵀ [+ causal mask]) V</c> per batch and head.
/// Q [B,H,Nq,D], K and V [B,H,Nk,D], O [B,H,Nq,D] (layouts by stride, last dimension contiguous).
/// Causal: query i sees keys j &lt;= i + (Nk - Nq), i.e. the two sequences are aligned at their ends.
/// A query that sees no key (causal with Nq &gt; Nk, or Nk = 0) gets O = 0 and log-sum-exp −∞, as in FlashAttention.
/// </summary>
/// <remarks>
/// <see cref="Forward"/> and <see cref="Backward"/> are the tiled kernels (AttentionKernel.Forward.cs,
/// AttentionKernel.Backward.cs) on the widest instruction set the CPU runs (<see cref="AttentionIsaSupport.Best"/>:
/// Vector512, Vector256 or scalar). No Nq x Nk matrix is ever held; results are bit-identical whatever
/// <see cref="Parallelism.Threads"/> is (but not across instruction sets), and they agree with
/// <see cref="ForwardReference"/> and <see cref="BackwardReference"/> (the definitions) up to float rounding.
/// Outputs must not overlap the inputs, except that O may be Q itself (same layout).
/// </remarks>
internal static unsafe partial class AttentionKernel
{
    /// <param name="logSumExp">Optional [B, H, Nq] output: the row log-sum-exp of the scaled scores, kept for the backward pass.</param>
    public static void Forward(int batch, int heads, int nq, int nk, int dim,
        float* q, in AttentionLayout ql, float* k, in AttentionLayout kl, float* v, in AttentionLayout vl,
        float* o, in AttentionLayout ol, float scale, bool causal, float* logSumExp)
        => Forward(AttentionIsaSupport.Best, batch, heads, nq, nk, dim, q, ql, k, kl, v, vl, o, ol, scale, causal, logSumExp);

    /// <summary>Gradients dq, dk, dv (overwritten, same layouts as q, k, v) from dO, given the forward's O and log-sum-exp.</summary>
    public static void Backward(int batch, int heads, int nq, int nk, int dim,
        float* q, in AttentionLayout ql, float* k, in AttentionLayout kl, float* v, in AttentionLayout vl,
        float* o, in AttentionLayout ol, float* gradO, in AttentionLayout gol, float* logSumExp,
        float* gradQ, in AttentionLayout gql, float* gradK, in AttentionLayout gkl, float* gradV, in AttentionLayout gvl,
        float scale, bool causal)
        => Backward(AttentionIsaSupport.Best, batch, heads, nq, nk, dim, q, ql, k, kl, v, vl, o, ol, gradO, gol, logSumExp,
            gradQ, gql, gradK, gkl, gradV, gvl, scale, causal);

    private static bool Masked(bool causal, int i, int j, int nq, int nk) => causal && j > i + (nk - nq);

    public static void ForwardReference(int batch, int heads, int nq, int nk, int dim,
        float* q, in AttentionLayout ql, float* k, in AttentionLayout kl, float* v, in AttentionLayout vl,
        float* o, in AttentionLayout ol, float scale, bool causal, float* logSumExp)
    {
        var s = new float[nk];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < nq; i++)
                {
                    float* qi = q + b * ql.BatchStride + h * ql.HeadStride + i * ql.RowStride;
                    float max = float.NegativeInfinity;
                    for (int j = 0; j < nk; j++)
                    {
                        if (Masked(causal, i, j, nq, nk)) { s[j] = float.NegativeInfinity; continue; }
                        float* kj = k + b * kl.BatchStride + h * kl.HeadStride + j * kl.RowStride;
                        float dot = 0f;
                        for (int d = 0; d < dim; d++) dot += qi[d] * kj[d];
                        s[j] = dot * scale;
                        max = MathF.Max(max, s[j]);
                    }
                    float sum = 0f;
                    for (int j = 0; j < nk; j++) { s[j] = s[j] == float.NegativeInfinity ? 0f : MathF.Exp(s[j] - max); sum += s[j]; }
                    // A row that sees no key has sum 0: its output is 0 (not 0/0) and its log-sum-exp is −∞.
                    float* oi = o + b * ol.BatchStride + h * ol.HeadStride + i * ol.RowStride;
                    for (int d = 0; d < dim; d++)
                    {
                        float acc = 0f;
                        for (int j = 0; j < nk; j++) acc += s[j] * v[b * vl.BatchStride + h * vl.HeadStride + j * vl.RowStride + d];
                        oi[d] = sum == 0f ? 0f : acc / sum;
                    }
                    if (logSumExp is not null) logSumExp[((long)b * heads + h) * nq + i] = max + MathF.Log(sum);
                }
    }

    public static void BackwardReference(int batch, int heads, int nq, int nk, int dim,
        float* q, in AttentionLayout ql, float* k, in AttentionLayout kl, float* v, in AttentionLayout vl,
        float* o, in AttentionLayout ol, float* gradO, in AttentionLayout gol, float* logSumExp,
        float* gradQ, in AttentionLayout gql, float* gradK, in AttentionLayout gkl, float* gradV, in AttentionLayout gvl,
        float scale, bool causal)
    {
        var p = new float[nk];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
            {
                for (int j = 0; j < nk; j++)
                    for (int d = 0; d < dim; d++)
                    {
                        gradK[b * gkl.BatchStride + h * gkl.HeadStride + j * gkl.RowStride + d] = 0f;
                        gradV[b * gvl.BatchStride + h * gvl.HeadStride + j * gvl.RowStride + d] = 0f;
                    }
                for (int i = 0; i < nq; i++)
                {
                    float* qi = q + b * ql.BatchStride + h * ql.HeadStride + i * ql.RowStride;
                    float* oi = o + b * ol.BatchStride + h * ol.HeadStride + i * ol.RowStride;
                    float* doi = gradO + b * gol.BatchStride + h * gol.HeadStride + i * gol.RowStride;
                    float* dqi = gradQ + b * gql.BatchStride + h * gql.HeadStride + i * gql.RowStride;
                    float lse = logSumExp[((long)b * heads + h) * nq + i];
                    float delta = 0f;
                    for (int d = 0; d < dim; d++) delta += doi[d] * oi[d];
                    for (int d = 0; d < dim; d++) dqi[d] = 0f;
                    for (int j = 0; j < nk; j++)
                    {
                        if (Masked(causal, i, j, nq, nk)) continue;
                        float* kj = k + b * kl.BatchStride + h * kl.HeadStride + j * kl.RowStride;
                        float* vj = v + b * vl.BatchStride + h * vl.HeadStride + j * vl.RowStride;
                        float dot = 0f;
                        for (int d = 0; d < dim; d++) dot += qi[d] * kj[d];
                        float pij = MathF.Exp(dot * scale - lse);
                        float dp = 0f;
                        for (int d = 0; d < dim; d++) dp += doi[d] * vj[d];
                        float ds = pij * (dp - delta) * scale;
                        float* dkj = gradK + b * gkl.BatchStride + h * gkl.HeadStride + j * gkl.RowStride;
                        float* dvj = gradV + b * gvl.BatchStride + h * gvl.HeadStride + j * gvl.RowStride;
                        for (int d = 0; d < dim; d++)
                        {
                            dqi[d] += ds * kj[d];
                            dkj[d] += ds * qi[d];
                            dvj[d] += pij * doi[d];
                        }
                    }
                }
            }
    }
}
