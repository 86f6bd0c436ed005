using System.Runtime.InteropServices;

namespace Atelier.Tensors.Kernels;

// The tiled forward pass (FlashAttention, Dao et al. 2022, Algorithm 1, with the FlashAttention-2 loop order:
// one task per query block, streaming over the key blocks).
//
// Legend: D head dim, Lq lanes of a query block (its queries, padded to a multiple of 16), Bk keys per block.
// Queries are the vector lanes: Q of a block is packed transposed, Qt [D, Lq], so
//   S  [Bk, Lq] = K_block [Bk, D] · Qt          (K rows broadcast, 16 queries per vector)
//   P  = online softmax of S along the key rows  (elementwise across lanes: no horizontal reductions)
//   Ot [D, Lq] += V_blockᵀ [D, Bk] · P           (V elements broadcast)
// Both products reduce over a dimension held in memory (D, then Bk) and never waste lanes on D % 16, which
// is what D = 40 or 80 would cost if D were the lane dimension. Scores are kept in base 2: Qt is scaled by
// scale · log2 e, so exp becomes 2^x (AttentionExp2). The per-task workspace is Qt, S, Ot and three lane
// vectors: (2 D + Bk + 3) · Lq floats, independent of Nq and Nk.
//
// Every query block of a head streams all of that head's K and V. When they are strided (the [B, N, H·D]
// projection layout: 160-byte rows 1280 bytes apart for SD's 8 x 40), each pass touches a page per few rows and
// the TLB and L2 prefetchers lose; so the heads' K and V are first copied to contiguous [Nk, D] rows, a chunk of
// (batch, head) pairs at a time (at most PackedKeysBudget bytes, or one pair). On one core at 4096 tokens,
// 8 heads of 40, this took the forward from about 90 to 145 GFLOP/s (thread CPU time; the FMA peak is 172).
internal static unsafe partial class AttentionKernel
{
    /// <summary>Queries per task: the lane width of the score tile (four Vector512).</summary>
    internal const int QueryBlock = 64;

    /// <summary>Keys per step of the streaming softmax.</summary>
    internal const int KeyBlock = 64;

    /// <summary>Scratch for contiguous copies of strided K and V, per chunk of (batch, head) pairs.</summary>
    internal const long PackedKeysBudget = 16L << 20;

    private const double Log2E = 1.4426950408889634;
    private const double Ln2 = 0.69314718055994531;

    /// <summary>The forward pass on a chosen instruction-set path (tests and benchmarks choose; callers use the overload without it).</summary>
    internal static void Forward(AttentionIsa isa, int batch, int heads, int nq, int nk, int dim,
        float* q, in AttentionLayout ql, float* k, in AttentionLayout kl, float* v, in AttentionLayout vl,
        float* o, in AttentionLayout ol, float scale, bool causal, float* logSumExp)
    {
        const string Op = "attention forward";
        AttentionIsaSupport.Require(isa);
        AttentionArguments.CheckSizes(Op, batch, heads, nq, nk, dim);
        AttentionArguments.CheckScale(Op, scale);
        AttentionArguments.CheckOperand(Op, "Q", nameof(q), q, ql, batch, heads, nq, dim, output: false);
        AttentionArguments.CheckOperand(Op, "K", nameof(k), k, kl, batch, heads, nk, dim, output: false);
        AttentionArguments.CheckOperand(Op, "V", nameof(v), v, vl, batch, heads, nk, dim, output: false);
        AttentionArguments.CheckOperand(Op, "O", nameof(o), o, ol, batch, heads, nq, dim, output: true);
        if ((long)batch * heads * nq == 0) return;

        var job = new ForwardJob(isa, heads, nq, nk, dim, q, ql, k, kl, v, vl, o, ol, scale, causal, logSumExp);
        int pairs = AttentionArguments.TaskCount(Op, (long)batch * heads, "(batch, head) pairs");
        AttentionArguments.TaskCount(Op, (long)pairs * job.QueryBlocks, "(batch, head, query block) tasks");
        int chunk = PairsPerChunk(pairs, nk, dim, kl, vl);
        try
        {
            for (int first = 0; first < pairs; first += chunk)
            {
                int count = Math.Min(chunk, pairs - first);
                job.StartChunk(first, chunk);
                if (job.PacksKeys)
                    Parallelism.For(count, job.PackKeys);
                Parallelism.For(count * job.QueryBlocks, job.Run);
            }
        }
        finally
        {
            job.FreePackedKeys();
        }
    }

    /// <summary>Bytes of scratch one forward task holds (Qt, S, Ot, running max/sum/α), whatever Nq and Nk are.</summary>
    internal static long ForwardTaskWorkspaceBytes(int dim) => ForwardJob.WorkspaceFloats(dim) * sizeof(float);

    /// <summary>Peak scratch of a forward call: one task's workspace per worker that can run at once, plus packed K, V.</summary>
    internal static long ForwardWorkspaceBytes(int batch, int heads, int nq, int nk, int dim, in AttentionLayout kl, in AttentionLayout vl)
    {
        long tasks = (long)batch * heads * ((nq + QueryBlock - 1) / QueryBlock);
        long packed = NeedsPackedKeys(dim, kl, vl) ? (long)PairsPerChunk(batch * heads, nk, dim, kl, vl) * 2 * nk * dim * sizeof(float) : 0;
        return Math.Min(tasks, Parallelism.Threads) * ForwardTaskWorkspaceBytes(dim) + packed;
    }

    private static bool NeedsPackedKeys(int dim, in AttentionLayout kl, in AttentionLayout vl) => kl.RowStride != dim || vl.RowStride != dim;

    // (batch, head) pairs whose K and V are packed at once: a function of the sizes only, never of the thread count.
    internal static int PairsPerChunk(int pairs, int nk, int dim, in AttentionLayout kl, in AttentionLayout vl)
    {
        if (!NeedsPackedKeys(dim, kl, vl)) return Math.Max(1, pairs);
        long perPair = Math.Max(1L, 2L * nk * dim * sizeof(float));
        return (int)Math.Clamp(PackedKeysBudget / perPair, 1, Math.Max(1, pairs));
    }

    private static int RoundUpLanes(int n) => (n + AttentionTile.LaneAlign - 1) / AttentionTile.LaneAlign * AttentionTile.LaneAlign;

    private sealed class ForwardJob(AttentionIsa isa, int heads, int nq, int nk, int dim,
        float* q, AttentionLayout ql, float* k, AttentionLayout kl, float* v, AttentionLayout vl,
        float* o, AttentionLayout ol, float scale, bool causal, float* logSumExp)
    {
        public readonly int QueryBlocks = (nq + QueryBlock - 1) / QueryBlock;
        public readonly bool PacksKeys = NeedsPackedKeys(dim, kl, vl);

        private float* _packed;     // [chunk, 2, Nk, D]: K then V of each pair of the chunk, when PacksKeys
        private int _chunkFirst;    // first (batch, head) pair of the current chunk

        // Scores in base 2: s2 = (scale · log2 e) · q·k, so softmax weights are 2^(s2 − max s2).
        private readonly float _scale2 = (float)(scale * Log2E);

        public static long WorkspaceFloats(int dim) => (2L * dim + KeyBlock + 3) * QueryBlock;

        public void StartChunk(int first, int chunk)
        {
            _chunkFirst = first;
            if (PacksKeys && _packed is null)
                _packed = (float*)NativeMemory.AlignedAlloc((nuint)((long)chunk * 2 * nk * dim * sizeof(float)), 64);
        }

        public void FreePackedKeys()
        {
            if (_packed is not null) NativeMemory.AlignedFree(_packed);
            _packed = null;
        }

        // K, V of pair (chunk first + slot) as contiguous rows.          // [Nk, D] strided -> [Nk, D] contiguous
        public void PackKeys(int slot)
        {
            int bh = _chunkFirst + slot, b = bh / heads, h = bh % heads;
            float* kp = _packed + (long)slot * 2 * nk * dim, vp = kp + (long)nk * dim;
            float* kb = k + b * kl.BatchStride + h * kl.HeadStride, vb = v + b * vl.BatchStride + h * vl.HeadStride;
            for (int j = 0; j < nk; j++)
            {
                new Span<float>(kb + j * kl.RowStride, dim).CopyTo(new Span<float>(kp + (long)j * dim, dim));
                new Span<float>(vb + j * vl.RowStride, dim).CopyTo(new Span<float>(vp + (long)j * dim, dim));
            }
        }

        public void Run(int task)
        {
            int slot = task / QueryBlocks, bh = _chunkFirst + slot, b = bh / heads, h = bh % heads;
            int i0 = task % QueryBlocks * QueryBlock;
            float* ws = (float*)NativeMemory.AlignedAlloc((nuint)(WorkspaceFloats(dim) * sizeof(float)), 64);
            try
            {
                Block(b, h, slot, i0, ws);
            }
            finally
            {
                NativeMemory.AlignedFree(ws);
            }
        }

        private void Block(int b, int h, int slot, int i0, float* ws)
        {
            int rows = Math.Min(QueryBlock, nq - i0), lanes = RoundUpLanes(rows);
            float* qb = q + b * ql.BatchStride + h * ql.HeadStride + i0 * ql.RowStride;
            float* kb = k + b * kl.BatchStride + h * kl.HeadStride, vb = v + b * vl.BatchStride + h * vl.HeadStride;
            long ks = kl.RowStride, vs = vl.RowStride;
            if (PacksKeys)
            {
                kb = _packed + (long)slot * 2 * nk * dim;
                vb = kb + (long)nk * dim;
                ks = vs = dim;
            }
            float* ob = o + b * ol.BatchStride + h * ol.HeadStride + i0 * ol.RowStride;
            float* lse = logSumExp is null ? null : logSumExp + ((long)b * heads + h) * nq + i0;

            float* qt = ws;                              // [D, lanes]
            float* st = qt + (long)dim * lanes;          // [Bk, lanes]
            float* ot = st + (long)KeyBlock * lanes;     // [D, lanes]
            float* max = ot + (long)dim * lanes;         // [lanes]
            float* sum = max + lanes;                    // [lanes]
            float* alpha = sum + lanes;                  // [lanes]

            // Causal: query i sees keys j <= i + offset. Keys [0, visibleToAll) are seen by every query of the block,
            // keys [visibleToAll, end) by some; blocks past 'end' are skipped, blocks before 'visibleToAll' need no mask.
            int offset = nk - nq;
            int end = causal ? Math.Clamp(i0 + rows + offset, 0, nk) : nk;
            int visibleToAll = causal ? Math.Clamp(i0 + 1 + offset, 0, nk) : nk;
            if (end == 0)
            {
                WriteEmptyRows(ob, lse, rows);
                return;
            }

            // Qt[d, l] = scale2 · Q[i0 + l, d]; padded lanes are 0.      // [rows, D] -> [D, lanes]
            AttentionTranspose.ToLanes(isa, qb, ql.RowStride, rows, dim, _scale2, qt, lanes);
            new Span<float>(max, lanes).Fill(float.NegativeInfinity);
            new Span<float>(sum, lanes).Clear();

            for (int j0 = 0; j0 < end; j0 += KeyBlock)
            {
                int bk = Math.Min(KeyBlock, end - j0);
                // S = K[j0 : j0 + bk] · Qt                                   // [bk, D] x [D, lanes] -> [bk, lanes]
                AttentionTile.MultiplyAdd(isa, bk, dim, lanes, kb + j0 * ks, ks, 1, qt, lanes, st, lanes, accumulate: false);
                if (j0 + bk > visibleToAll)
                    MaskFuture(st, j0, bk, i0, offset, lanes);
                bool rescale = AttentionSoftmax.Step(isa, st, bk, lanes, lanes, max, sum, alpha);
                // Ot = α · Ot + V[j0 : j0 + bk]ᵀ · P                          // [D, bk] x [bk, lanes] -> [D, lanes]
                if (j0 > 0 && rescale)
                    AttentionSoftmax.Rescale(isa, ot, dim, lanes, lanes, alpha);
                AttentionTile.MultiplyAdd(isa, dim, bk, lanes, vb + j0 * vs, 1, vs, st, lanes, ot, lanes, accumulate: j0 > 0);
            }

            // O[i0 + l, d] = Ot[d, l] / ℓ[l], as Ot · (1/ℓ) (one rounding more than a division; 0 when ℓ = 0);
            // lse = ln 2 · (max2 + log2 ℓ) = ln 2 · max2 + ln ℓ.                // [D, lanes] -> [rows, D]
            for (int l = 0; l < rows; l++)
            {
                float rowSum = sum[l];
                alpha[l] = rowSum == 0f ? 0f : 1f / rowSum;
                if (lse is not null)
                    lse[l] = rowSum == 0f ? float.NegativeInfinity : (float)(max[l] * Ln2 + Math.Log(rowSum));
            }
            AttentionTranspose.FromLanes(isa, ot, lanes, rows, dim, alpha, 0f, ob, ol.RowStride);
        }

        private void WriteEmptyRows(float* ob, float* lse, int rows)
        {
            for (int l = 0; l < rows; l++)
            {
                new Span<float>(ob + l * ol.RowStride, dim).Clear();
                if (lse is not null) lse[l] = float.NegativeInfinity;
            }
        }
    }

    /// <summary>Sets s[j, l] = −∞ where query i0 + l must not see key j0 + j, i.e. where j0 + j &gt; i0 + l + offset.</summary>
    private static void MaskFuture(float* s, int j0, int bk, int i0, int offset, int lanes)
    {
        for (int j = 0; j < bk; j++)
        {
            int hidden = Math.Clamp(j0 + j - i0 - offset, 0, lanes);
            new Span<float>(s + (long)j * lanes, hidden).Fill(float.NegativeInfinity);
        }
    }
}
