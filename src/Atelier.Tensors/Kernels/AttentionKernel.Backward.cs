using System.Runtime.InteropServices;

namespace Atelier.Tensors.Kernels;

// The tiled backward pass (FlashAttention-2, Dao 2023, Algorithm 2): tiles of P are recomputed from the
// forward's log-sum-exp, never stored whole. For a key block j and a query block i (queries are lanes, as in
// the forward; Lq lanes, Bk keys, Dp = D padded to 16):
//   Sᵀ  [Bk, Lq] = K_j · Qtᵢ                 Pᵀ = 2^(Sᵀ − lse2)
//   dPᵀ [Bk, Lq] = V_j · dOtᵢ                dSᵀ = Pᵀ ∘ (dPᵀ − Δᵢ),  Δ = rowsum(dO ∘ O)
//   dV_j [Bk, Dp] += Pᵀ · dOᵢ                dK_j [Bk, Dp] += dSᵀ · Qᵢ
//   dQtᵢ [D, Lq]  += K_jᵀ · dSᵀ              (dK and dQ take the factor 'scale' when written out)
// Deterministic without atomics: a task owns (batch, head, key group); it accumulates dK, dV of its keys in
// order and a private dQ over its keys. When a head is split into G > 1 key groups (only when batch x heads is
// too small to occupy the workers; G depends on the sizes, never on the thread count), the G partial dQ are
// summed in group order by a second pass.
internal static unsafe partial class AttentionKernel
{
    /// <summary>Parallel tasks the backward aims for; a head is split over key groups until there are this many.</summary>
    private const int BackwardTargetTasks = 16;

    /// <summary>The backward pass on a chosen instruction-set path.</summary>
    internal static void Backward(AttentionIsa isa, int batch, int heads, int nq, int nk, int dim,
        float* q, in AttentionLayout ql, float* k, in AttentionLayout kl, float* v, in AttentionLayout vl,
        float* o, in AttentionLayout ol, float* gradO, in AttentionLayout gol, float* logSumExp,
        float* gradQ, in AttentionLayout gql, float* gradK, in AttentionLayout gkl, float* gradV, in AttentionLayout gvl,
        float scale, bool causal)
    {
        const string Op = "attention backward";
        AttentionIsaSupport.Require(isa);
        AttentionArguments.CheckSizes(Op, batch, heads, nq, nk, dim);
        AttentionArguments.CheckScale(Op, scale);
        AttentionArguments.CheckOperand(Op, "Q", nameof(q), q, ql, batch, heads, nq, dim, output: false);
        AttentionArguments.CheckOperand(Op, "K", nameof(k), k, kl, batch, heads, nk, dim, output: false);
        AttentionArguments.CheckOperand(Op, "V", nameof(v), v, vl, batch, heads, nk, dim, output: false);
        AttentionArguments.CheckOperand(Op, "O", nameof(o), o, ol, batch, heads, nq, dim, output: false);
        AttentionArguments.CheckOperand(Op, "dO", nameof(gradO), gradO, gol, batch, heads, nq, dim, output: false);
        AttentionArguments.CheckOperand(Op, "dQ", nameof(gradQ), gradQ, gql, batch, heads, nq, dim, output: true);
        AttentionArguments.CheckOperand(Op, "dK", nameof(gradK), gradK, gkl, batch, heads, nk, dim, output: true);
        AttentionArguments.CheckOperand(Op, "dV", nameof(gradV), gradV, gvl, batch, heads, nk, dim, output: true);
        if (logSumExp is null && (long)batch * heads * nq > 0)
            throw new ArgumentNullException(nameof(logSumExp),
                $"{Op}: the log-sum-exp [{batch}, {heads}, {nq}] saved by the forward pass is required (got null).");
        if ((long)batch * heads * dim == 0) return;

        var job = new BackwardJob(isa, batch, heads, nq, nk, dim, q, ql, k, kl, v, vl, o, ol, gradO, gol, logSumExp,
            gradQ, gql, gradK, gkl, gradV, gvl, scale, causal);
        try
        {
            job.AllocatePartials();
            Parallelism.For(AttentionArguments.TaskCount(Op, (long)batch * heads * job.Groups, "(batch, head, key group) tasks"), job.Run);
            if (job.Groups > 1)
                Parallelism.For(batch * heads, job.ReduceGradQ);
        }
        finally
        {
            job.FreePartials();
        }
    }

    /// <summary>Key groups per head of the backward (see the file comment); a function of the sizes only.</summary>
    internal static int BackwardGroups(int batch, int heads, int nk)
    {
        int keyBlocks = (nk + KeyBlock - 1) / KeyBlock;
        long pairs = Math.Max(1L, (long)batch * heads);
        int wanted = (int)((BackwardTargetTasks + pairs - 1) / pairs);
        return Math.Clamp(wanted, 1, Math.Max(1, keyBlocks));
    }

    /// <summary>Peak scratch of a backward call: per-task buffers of the workers running at once, plus partial dQ.</summary>
    internal static long BackwardWorkspaceBytes(int batch, int heads, int nq, int nk, int dim)
    {
        int groups = BackwardGroups(batch, heads, nk);
        long tasks = (long)batch * heads * groups;
        long partials = groups > 1 ? (long)batch * heads * groups * dim * RoundUpLanes(nq) : 0;
        return (Math.Min(tasks, Parallelism.Threads) * BackwardJob.WorkspaceFloats(nq, dim) + partials) * sizeof(float);
    }

    private sealed class BackwardJob(AttentionIsa isa, int batch, int heads, int nq, int nk, int dim,
        float* q, AttentionLayout ql, float* k, AttentionLayout kl, float* v, AttentionLayout vl,
        float* o, AttentionLayout ol, float* gradO, AttentionLayout gol, float* logSumExp,
        float* gradQ, AttentionLayout gql, float* gradK, AttentionLayout gkl, float* gradV, AttentionLayout gvl,
        float scale, bool causal)
    {
        public readonly int Groups = BackwardGroups(batch, heads, nk);

        private readonly int _queryLanes = RoundUpLanes(nq);   // Nq padded: row stride of the transposed buffers
        private readonly int _dimLanes = RoundUpLanes(dim);    // D padded: row stride of the natural-layout buffers
        private readonly float _scale2 = (float)(scale * Log2E);
        private float* _partials;                              // [B·H, G, D, Nq padded] when Groups > 1

        public static long WorkspaceFloats(int nq, int dim)
        {
            long nqp = RoundUpLanes(nq), dp = RoundUpLanes(dim);
            return 3 * dim * nqp           // Qt, dOt, dQt
                + 2 * nq * dp              // Q, dO with padded rows
                + 2 * nqp                  // lse2, Δ
                + 2L * KeyBlock * QueryBlock   // Pᵀ, dPᵀ / dSᵀ
                + 2L * KeyBlock * dp;          // dK, dV accumulators
        }

        public void Run(int task)
        {
            int bh = task / Groups, g = task % Groups;
            float* ws = (float*)NativeMemory.AlignedAlloc((nuint)(WorkspaceFloats(nq, dim) * sizeof(float)), 64);
            try
            {
                Head(bh / heads, bh % heads, g, ws);
            }
            finally
            {
                NativeMemory.AlignedFree(ws);
            }
        }

        public void AllocatePartials()
        {
            if (Groups > 1)
                _partials = (float*)NativeMemory.AlignedAlloc((nuint)((long)batch * heads * Groups * dim * _queryLanes * sizeof(float)), 64);
        }

        public void FreePartials()
        {
            if (_partials is not null) NativeMemory.AlignedFree(_partials);
            _partials = null;
        }

        private void Head(int b, int h, int g, float* ws)
        {
            int nqp = _queryLanes, dp = _dimLanes;
            float* qb = q + b * ql.BatchStride + h * ql.HeadStride;
            float* kb = k + b * kl.BatchStride + h * kl.HeadStride;
            float* vb = v + b * vl.BatchStride + h * vl.HeadStride;
            float* obh = o + b * ol.BatchStride + h * ol.HeadStride;
            float* dob = gradO + b * gol.BatchStride + h * gol.HeadStride;
            float* lse = logSumExp + ((long)b * heads + h) * nq;

            float* qt = ws;                                  // [D, Nqp]  scale2 · Qᵀ
            float* dot = qt + (long)dim * nqp;               // [D, Nqp]  dOᵀ
            float* dqt = dot + (long)dim * nqp;              // [D, Nqp]  Σ dSᵀ-weighted K, transposed
            float* qn = dqt + (long)dim * nqp;               // [Nq, Dp]  Q
            float* don = qn + (long)nq * dp;                 // [Nq, Dp]  dO
            float* lse2 = don + (long)nq * dp;               // [Nqp]     log2-sum-exp (+∞: no weight)
            float* delta = lse2 + nqp;                       // [Nqp]     Δ = rowsum(dO ∘ O)
            float* pt = delta + nqp;                         // [Bk, Lq]  Pᵀ
            float* dst = pt + KeyBlock * QueryBlock;         // [Bk, Lq]  dPᵀ, then dSᵀ
            float* dkAcc = dst + KeyBlock * QueryBlock;      // [Bk, Dp]
            float* dvAcc = dkAcc + (long)KeyBlock * dp;      // [Bk, Dp]

            Pack(qb, ql.RowStride, dob, gol.RowStride, obh, ol.RowStride, lse, qt, dot, qn, don, lse2, delta);
            new Span<float>(dqt, dim * nqp).Clear();

            int keyBlocks = (nk + KeyBlock - 1) / KeyBlock;
            int offset = nk - nq;
            // Group g owns the contiguous key blocks [g·n/G, (g+1)·n/G).
            int blockStart = (int)((long)keyBlocks * g / Groups), blockEnd = (int)((long)keyBlocks * (g + 1) / Groups);
            for (int kbIndex = blockStart; kbIndex < blockEnd; kbIndex++)
            {
                int j0 = kbIndex * KeyBlock, bk = Math.Min(KeyBlock, nk - j0);
                float* kj = kb + j0 * kl.RowStride, vj = vb + j0 * vl.RowStride;
                // Causal: queries i >= j0 - offset see at least key j0; earlier query blocks are skipped.
                int firstQuery = causal ? Math.Max(0, j0 - offset) : 0;
                bool any = false;
                for (int i0 = firstQuery / QueryBlock * QueryBlock; i0 < nq; i0 += QueryBlock)
                {
                    int rows = Math.Min(QueryBlock, nq - i0), lanes = RoundUpLanes(rows);
                    // Sᵀ = K_j · Qtᵢ                                      // [bk, D] x [D, lanes] -> [bk, lanes]
                    AttentionTile.MultiplyAdd(isa, bk, dim, lanes, kj, kl.RowStride, 1, qt + i0, nqp, pt, lanes, accumulate: false);
                    if (causal && j0 + bk - 1 > i0 + offset)
                        MaskFuture(pt, j0, bk, i0, offset, lanes);
                    AttentionSoftmax.Probabilities(isa, pt, bk, lanes, lanes, lse2 + i0);
                    // dPᵀ = V_j · dOtᵢ, then dSᵀ = Pᵀ ∘ (dPᵀ − Δ)          // [bk, D] x [D, lanes] -> [bk, lanes]
                    AttentionTile.MultiplyAdd(isa, bk, dim, lanes, vj, vl.RowStride, 1, dot + i0, nqp, dst, lanes, accumulate: false);
                    AttentionSoftmax.ScoreGradient(isa, pt, dst, bk, lanes, lanes, delta + i0);
                    // dV_j += Pᵀ · dOᵢ,  dK_j += dSᵀ · Qᵢ                  // [bk, rows] x [rows, Dp] -> [bk, Dp]
                    AttentionTile.MultiplyAdd(isa, bk, rows, dp, pt, lanes, 1, don + (long)i0 * dp, dp, dvAcc, dp, accumulate: any);
                    AttentionTile.MultiplyAdd(isa, bk, rows, dp, dst, lanes, 1, qn + (long)i0 * dp, dp, dkAcc, dp, accumulate: any);
                    // dQtᵢ += K_jᵀ · dSᵀ                                   // [D, bk] x [bk, lanes] -> [D, lanes]
                    AttentionTile.MultiplyAdd(isa, dim, bk, lanes, kj, 1, kl.RowStride, dst, lanes, dqt + i0, nqp, accumulate: true);
                    any = true;
                }
                // dK_j = scale · dK_j, dV_j; zero when no query sees the block.         // [bk, Dp] -> [bk, D]
                for (int j = 0; j < bk; j++)
                {
                    float* dkRow = gradK + b * gkl.BatchStride + h * gkl.HeadStride + (j0 + j) * gkl.RowStride;
                    float* dvRow = gradV + b * gvl.BatchStride + h * gvl.HeadStride + (j0 + j) * gvl.RowStride;
                    for (int d = 0; d < dim; d++)
                    {
                        dkRow[d] = any ? scale * dkAcc[(long)j * dp + d] : 0f;
                        dvRow[d] = any ? dvAcc[(long)j * dp + d] : 0f;
                    }
                }
            }

            if (Groups == 1)
                WriteGradQ(b, h, dqt);
            else
                new Span<float>(dqt, dim * nqp).CopyTo(new Span<float>(Partial(b * heads + h, g), dim * nqp));
        }

        // Qt = scale2 · Qᵀ and dOt = dOᵀ (lanes past Nq zero), Q and dO with rows padded to Dp, lse2, Δ.
        private void Pack(float* qb, long qs, float* dob, long dos, float* obh, long os, float* lse,
            float* qt, float* dot, float* qn, float* don, float* lse2, float* delta)
        {
            int nqp = _queryLanes, dp = _dimLanes;
            AttentionTranspose.ToLanes(isa, qb, qs, nq, dim, _scale2, qt, nqp);      // [Nq, D] -> [D, Nqp]
            AttentionTranspose.ToLanes(isa, dob, dos, nq, dim, 1f, dot, nqp);
            for (int i = 0; i < nq; i++)
            {
                float* doi = dob + i * dos, oi = obh + i * os;
                float* qr = qn + (long)i * dp, dr = don + (long)i * dp;
                new Span<float>(qb + i * qs, dim).CopyTo(new Span<float>(qr, dim));
                new Span<float>(doi, dim).CopyTo(new Span<float>(dr, dim));
                new Span<float>(qr + dim, dp - dim).Clear();
                new Span<float>(dr + dim, dp - dim).Clear();
                float dsum = 0f;
                for (int d = 0; d < dim; d++) dsum += doi[d] * oi[d];
                delta[i] = dsum;
                // A query that saw no key has lse = −∞; +∞ here turns its recomputed weights into 2^−∞ = 0.
                lse2[i] = float.IsNegativeInfinity(lse[i]) ? float.PositiveInfinity : (float)(lse[i] * Log2E);
            }
            for (int i = nq; i < nqp; i++)
            {
                delta[i] = 0f;
                lse2[i] = float.PositiveInfinity;
            }
        }

        private float* Partial(int bh, int g) => _partials + ((long)bh * Groups + g) * dim * _queryLanes;

        // dQ = scale · Σ_g dQt_g, the groups summed in order into group 0's buffer.   // G x [D, Nqp] -> [Nq, D]
        public void ReduceGradQ(int bh)
        {
            long count = (long)dim * _queryLanes;
            float* total = Partial(bh, 0);
            for (int g = 1; g < Groups; g++)
            {
                float* part = Partial(bh, g);
                for (long x = 0; x < count; x++) total[x] += part[x];
            }
            WriteGradQ(bh / heads, bh % heads, total);
        }

        private void WriteGradQ(int b, int h, float* dqt) =>
            AttentionTranspose.FromLanes(isa, dqt, _queryLanes, nq, dim, null, scale,
                gradQ + b * gql.BatchStride + h * gql.HeadStride, gql.RowStride);
    }
}
