namespace Atelier.Tensors.Kernels;

/// <summary>
/// The blocked GEMM loop nest (Goto/BLIS blocking), generic over the micro-kernel and the two panel packers:
/// <code>
/// for jc in N by NC                    one parallel loop per column block; B of the block (all of K) is
///   tasks: rows ic..ic+MC x B panels   packed once into a shared buffer, ~128 columns at a time, by
///     for pc in K by KC                whichever task needs them first (the others skip ahead, come back)
///       pack A block MC x KC           per thread (L2)
///       for jr: for ir: kernel         B panel KC x NR stays in L1 while A panels stream by
/// </code>
/// No barrier inside a column block: packing B overlaps with the other threads' compute.
/// C holds the running sums between K blocks (first block: beta·C or 0; later blocks: C), so every element
/// of C is one chain of fused multiply-adds over k = 0 … K-1 starting from beta·C, whatever the tiling, the
/// order of panels or the thread count. Partial tiles at the M and N edges run the full kernel on a
/// zero-padded scratch tile, so they see exactly the same arithmetic.
/// </summary>
internal static unsafe class GemmDriver
{
    // Below this many multiply-adds a loop is not worth waking the workers (~100 µs of work at 1 thread).
    private const long ParallelThreshold = 1L << 21;

    // Packed B of one column block (all of K): at most 8 Mi floats (32 MiB), so NC ≈ 8 Mi / K. At the UNet's
    // largest depth (K = 11520) that is 704 columns: A is packed twice for N = 1280, a few % of the work.
    // (16 Mi floats, one block, measured ~5% faster on that shape; not worth 64 MiB of scratch.)
    private const long BBudget = 1L << 23;

    // Panel states in the shared B buffer.
    private const int Unpacked = 0, Packing = 1, Ready = 2, Failed = 3;

    public static void Run<TKernel, TA, TB>(int m, int n, int k, TA a, TB b, float* c, long ldc, float beta)
        where TKernel : IGemmMicroKernel
        where TA : struct, IGemmPacker
        where TB : struct, IGemmPacker
        => Run<TKernel, TA, TB>(m, n, k, a, b, c, ldc, beta, new GemmOutput(n, 0));

    /// <summary>
    /// As above with the layout and start values of C given by <paramref name="columns"/> (see <see cref="GemmOutput"/>):
    /// C's columns may be cut into segments (the images of a batched convolution written straight into [N, O, P];
    /// the segment must then be a multiple of TKernel.NR so no tile straddles two), and C may start from a bias
    /// per row or per column instead of beta·C (beta must then be 0).
    /// </summary>
    public static void Run<TKernel, TA, TB>(int m, int n, int k, TA a, TB b, float* c, long ldc, float beta, GemmOutput columns)
        where TKernel : IGemmMicroKernel
        where TA : struct, IGemmPacker
        where TB : struct, IGemmPacker
    {
        if (m <= 0 || n <= 0) return;
        if (columns.Segment < n && (columns.Segment <= 0 || columns.Segment % TKernel.NR != 0))
            throw new ArgumentException($"gemm: C column segments of {columns.Segment} for N = {n}; expected a positive multiple of the panel width {TKernel.NR}.");
        if (columns.HasBias && beta != 0f)
            throw new ArgumentException($"gemm: C starts from a bias, so beta must be 0 (got {beta}).");
        if (k <= 0)
        {
            for (long s0 = 0; s0 < n; s0 += columns.Segment)
            {
                int width = (int)Math.Min(columns.Segment, n - s0);
                if (columns.HasBias) columns.InitializeTile(c + columns.Offset(s0), ldc, 0, m, (int)s0, width);
                else ScaleC(m, width, c + columns.Offset(s0), ldc, beta);
                if (columns.Residual is not null) columns.AddResidual(c, c + columns.Offset(s0), ldc, m, width);
            }
            return;
        }

        int mr = TKernel.MR, nr = TKernel.NR, kcMax = TKernel.KC;
        int threads = (long)m * n * k < ParallelThreshold ? 1 : Parallelism.Threads;
        int pcs = (k + kcMax - 1) / kcMax;
        long panelFloats = (long)kcMax * nr;
        int panelsMax = (int)Math.Clamp(BBudget / (pcs * panelFloats), 1, (n + nr - 1) / nr);
        int ncMax = panelsMax * nr;
        float* bBuffer = KernelWorkspace.Shared(pcs * panelsMax * panelFloats);

        for (int jc = 0; jc < n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n - jc);
            int bPanels = (nc + nr - 1) / nr;
            int groups = (bPanels + PanelsPerClaim<TKernel>() - 1) / PanelsPerClaim<TKernel>();
            var plan = TaskPlan.Choose(m, bPanels, mr, nr, TKernel.MC, threads);
            int[] state = new int[pcs * groups];
            int jcBlock = jc;
            Parallelism.For(plan.Tasks, task =>
            {
                plan.Bounds(task, m, bPanels, out int row0, out int row1, out int jp0, out int jp1);
                if (row0 >= row1 || jp0 >= jp1) return;
                int rows = row1 - row0, aPanels = (rows + mr - 1) / mr;
                float* aBlock = KernelWorkspace.ThreadLocal((long)aPanels * kcMax * mr);
                int[] deferred = new int[jp1 - jp0];
                for (int pi = 0; pi < pcs; pi++)
                {
                    int pc = pi * kcMax, kc = Math.Min(kcMax, k - pc);
                    bool first = pi == 0, last = pi == pcs - 1;
                    float* bBlock = bBuffer + pi * (long)bPanels * panelFloats;
                    a.Pack(row0, rows, pc, kc, aBlock, mr);
                    int waiting = 0;
                    for (int jp = jp0; jp < jp1; jp++)
                    {
                        if (!TryAcquirePanels<TKernel, TB>(ref state[pi * groups + jp / PanelsPerClaim<TKernel>()], b, jcBlock, nc, jp, pc, kc, bBlock, panelFloats))
                        {
                            deferred[waiting++] = jp; // another thread is packing it: do the rest first
                            continue;
                        }
                        Macro<TKernel>(kc, aBlock, aPanels, row0, row1, bBlock + jp * panelFloats, jp, jcBlock, jcBlock + nc, c, ldc, first, last, beta, columns);
                    }
                    for (int i = 0; i < waiting; i++)
                    {
                        int jp = deferred[i];
                        WaitForPanels(ref state[pi * groups + jp / PanelsPerClaim<TKernel>()]);
                        Macro<TKernel>(kc, aBlock, aPanels, row0, row1, bBlock + jp * panelFloats, jp, jcBlock, jcBlock + nc, c, ldc, first, last, beta, columns);
                    }
                }
            });
        }
    }

    /// <summary>B panels are claimed and packed in groups spanning ~128 columns, so a row-major B is read in
    /// 512-byte runs per row (whole cache-line pairs, prefetch-friendly) rather than one panel width.</summary>
    private static int PanelsPerClaim<TKernel>() where TKernel : IGemmMicroKernel => Math.Max(1, 128 / TKernel.NR);

    /// <summary>True when the group holding panel jp is packed (packing the whole group here if nobody has);
    /// false while another thread packs it.</summary>
    private static bool TryAcquirePanels<TKernel, TB>(ref int state, TB b, int jc, int nc, int jp, int pc, int kc, float* bBlock, long panelFloats)
        where TKernel : IGemmMicroKernel
        where TB : struct, IGemmPacker
    {
        int s = Volatile.Read(ref state);
        if (s == Ready) return true;
        if (s == Unpacked && Interlocked.CompareExchange(ref state, Packing, Unpacked) == Unpacked)
        {
            try
            {
                // Panels of one K block sit kc·NR apart; the packer writes kc·NR per panel, matching the
                // panelFloats = KC·NR stride only for full blocks, so pack panel by panel in the last one.
                int nr = TKernel.NR, per = PanelsPerClaim<TKernel>(), first = jp / per * per;
                int col = jc + first * nr, cols = Math.Min(per * nr, nc - first * nr);
                if (kc * (long)nr == panelFloats)
                    b.Pack(col, cols, pc, kc, bBlock + first * panelFloats, nr);
                else
                    for (int q = 0; q * nr < cols; q++)
                        b.Pack(col + q * nr, Math.Min(nr, cols - q * nr), pc, kc, bBlock + (first + q) * panelFloats, nr);
            }
            catch
            {
                Volatile.Write(ref state, Failed);
                throw;
            }
            Volatile.Write(ref state, Ready);
            return true;
        }
        if (Volatile.Read(ref state) == Failed)
            throw new InvalidOperationException("gemm: packing a B panel failed on another thread.");
        return Volatile.Read(ref state) == Ready;
    }

    private static void WaitForPanels(ref int state)
    {
        var spin = new SpinWait();
        int s;
        while ((s = Volatile.Read(ref state)) != Ready)
        {
            if (s == Failed) throw new InvalidOperationException("gemm: packing a B panel failed on another thread.");
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>One packed B panel against every A panel of the task's block.</summary>
    private static void Macro<TKernel>(int kc, float* aBlock, int aPanels, int row0, int row1,
        float* bPanel, int jp, int col0, int colEnd, float* c, long ldc, bool first, bool last, float beta, GemmOutput columns)
        where TKernel : IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        // A bias is written into the tile just before its first block (L1-hot) and then loaded like beta = 1:
        // the same chain of multiply-adds as when the caller filled C with the bias beforehand.
        bool initialize = first && columns.HasBias;
        bool load = !first || beta != 0f || initialize;
        float scale = first && !initialize ? beta : 1f;
        int col = col0 + jp * nr, cols = Math.Min(nr, colEnd - col);
        float* cColumn = c + columns.Offset(col);
        for (int ip = 0; ip < aPanels; ip++)
        {
            float* aPanel = aBlock + (long)ip * kc * mr;
            int row = row0 + ip * mr, rows = Math.Min(mr, row1 - row);
            float* cTile = cColumn + row * ldc;
            if (initialize) columns.InitializeTile(cTile, ldc, row, rows, col, cols);
            if (rows == mr && cols == nr)
                TKernel.Run(kc, aPanel, bPanel, cTile, ldc, load, scale);
            else
                EdgeTile<TKernel>(kc, aPanel, bPanel, cTile, ldc, rows, cols, load, scale);
            if (last && columns.Residual is not null)
                columns.AddResidual(c, cTile, ldc, rows, cols);
        }
    }

    private static void EdgeTile<TKernel>(int kc, float* aPanel, float* bPanel, float* cTile, long ldc, int rows, int cols, bool load, float scale)
        where TKernel : IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        float* edge = stackalloc float[mr * nr];
        new Span<float>(edge, mr * nr).Clear();
        if (load)
            for (int i = 0; i < rows; i++)
                new Span<float>(cTile + i * ldc, cols).CopyTo(new Span<float>(edge + i * nr, cols));
        TKernel.Run(kc, aPanel, bPanel, edge, nr, load, scale);
        for (int i = 0; i < rows; i++)
            new Span<float>(edge + i * nr, cols).CopyTo(new Span<float>(cTile + i * ldc, cols));
    }

    /// <summary>K = 0: C = beta·C (beta = 0 clears, NaN included, as in the reference).</summary>
    internal static void ScaleC(int m, int n, float* c, long ldc, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f)
                for (int j = 0; j < n; j++) row[j] *= beta;
        }
    }

    /// <summary>
    /// Where C's columns live, what C starts from and what is added at the end. Columns: segments of
    /// <see cref="Segment"/> columns, <see cref="SegmentStride"/> floats apart (column j at (j / segment)·stride +
    /// j % segment; one segment = plain row-major C). Start: <see cref="RowBias"/>[i] or <see cref="ColBias"/>[j]
    /// (at most one; null for beta·C). End: <see cref="Residual"/> (laid out exactly as C: same offsets) is added to
    /// each tile after its last block, one float addition per element — what a separate <c>c + residual</c> pass
    /// computes, while the tile is still in L1.
    /// </summary>
    internal readonly struct GemmOutput(long segment, long segmentStride, float* rowBias = null, float* colBias = null, float* residual = null)
    {
        public long Segment { get; } = segment;
        public long SegmentStride { get; } = segmentStride;
        public float* RowBias { get; } = rowBias;
        public float* ColBias { get; } = colBias;
        public float* Residual { get; } = residual;

        /// <summary>tile[i, j] += the residual element at the same offset from C's start <paramref name="c"/>.</summary>
        public void AddResidual(float* c, float* tile, long ldc, int rows, int cols)
        {
            float* r = Residual + (tile - c);
            for (int i = 0; i < rows; i++)
                BinaryKernel.Apply(new AddOperator(), tile + i * ldc, r + i * ldc, tile + i * ldc, cols);
        }

        public bool HasBias => RowBias is not null || ColBias is not null;

        public long Offset(long column) => column < Segment ? column : column / Segment * SegmentStride + column % Segment;

        /// <summary>Writes the bias into a tile of C (rows from <paramref name="row"/>, columns from <paramref name="col"/>, within one segment).</summary>
        public void InitializeTile(float* tile, long ldc, int row, int rows, int col, int cols)
        {
            for (int i = 0; i < rows; i++)
            {
                var dst = new Span<float>(tile + i * ldc, cols);
                if (RowBias is not null) dst.Fill(RowBias[row + i]);
                else new ReadOnlySpan<float>(ColBias + col, cols).CopyTo(dst);
            }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    /// <summary>
    /// How one B block's columns and all rows of C are cut into tasks. The cut never changes results (see the
    /// class remarks), so it may follow the thread count: it picks the split with the smallest estimated
    /// critical path, counting the A packing that each extra column split repeats.
    /// </summary>
    private readonly record struct TaskPlan(int RowBlocks, int ColGroups, int PanelsPerRowBlock, int PanelsPerColGroup, int Mr)
    {
        public int Tasks => RowBlocks * ColGroups;

        public static TaskPlan Choose(int m, int bPanels, int mr, int nr, int mcMax, int threads)
        {
            int aPanels = (m + mr - 1) / mr;
            int maxPanelsPerBlock = Math.Max(1, mcMax / mr);
            int minRowBlocks = (aPanels + maxPanelsPerBlock - 1) / maxPanelsPerBlock;
            if (threads == 1) return Make(minRowBlocks, 1, aPanels, bPanels, mr);
            TaskPlan best = default;
            double bestCost = double.MaxValue;
            for (int rb = minRowBlocks; rb <= Math.Min(aPanels, minRowBlocks + 4 * threads); rb++)
                for (int cg = 1; cg <= Math.Min(bPanels, 4 * threads); cg++)
                {
                    var plan = Make(rb, cg, aPanels, bPanels, mr);
                    int rbEff = (aPanels + plan.PanelsPerRowBlock - 1) / plan.PanelsPerRowBlock;
                    int cgEff = (bPanels + plan.PanelsPerColGroup - 1) / plan.PanelsPerColGroup;
                    int rounds = (rbEff * cgEff + threads - 1) / threads;
                    // Per unit of depth: kernel work in tiles (MR·NR FMAs each, 1/32 cycle per FMA at full speed),
                    // packing the task's A block (about half a cycle per element), reading its B panels (cheap
                    // right after packing; with several row blocks the later ones re-read the packed B from L3 or
                    // memory, which costs like packing), a fixed task cost. A quarter task more per thread: on a
                    // shared machine some thread finishes late, which favours a few tasks per thread.
                    double rowsPerTask = plan.PanelsPerRowBlock * mr, colsPerTask = plan.PanelsPerColGroup * nr;
                    double bCost = rbEff > 1 ? 0.5 : 0.1;
                    double taskCost = rowsPerTask * colsPerTask / 32.0 + 0.5 * rowsPerTask + bCost * colsPerTask + 8.0;
                    double cost = (rounds + 0.25) * taskCost;
                    if (cost < bestCost * 0.999) { bestCost = cost; best = plan; }
                }
            return best;
        }

        private static TaskPlan Make(int rowBlocks, int colGroups, int aPanels, int bPanels, int mr)
            => new(rowBlocks, colGroups, (aPanels + rowBlocks - 1) / rowBlocks, (bPanels + colGroups - 1) / colGroups, mr);

        public void Bounds(int task, int m, int bPanels, out int row0, out int row1, out int jp0, out int jp1)
        {
            // Column groups inner: consecutive tasks share a row block.
            int rb = task / ColGroups, cg = task % ColGroups;
            row0 = Math.Min(m, rb * PanelsPerRowBlock * Mr);
            row1 = Math.Min(m, (rb + 1) * PanelsPerRowBlock * Mr);
            jp0 = Math.Min(bPanels, cg * PanelsPerColGroup);
            jp1 = Math.Min(bPanels, (cg + 1) * PanelsPerColGroup);
        }
    }
}
