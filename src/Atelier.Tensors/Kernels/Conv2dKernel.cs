using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// 2-D convolution kernels (forward and both backward passes) as implicit GEMMs on <see cref="GemmDriver"/>.
/// Per image and group (shapes [rows, cols], P = OH·OW output pixels, K = C/G·KH·KW):
/// <code>
/// forward        out[O/G, P]   = W[O/G, K] · col[K, P]                     col packed on the fly (Im2colPacker)
/// backward input dcol[K, P']   = Wᵀ[K, O/G] · gradOut[O/G, P']  → col2im    P' = a chunk of pixels (bounded workspace)
/// backward weight dW[O/G, K]   = gradOut[O/G, N·P] · colᵀ[N·P, K]          the batch is part of the reduction
/// </code>
/// 1x1 stride-1 unpadded convolutions skip im2col (the input is already the column matrix). Work is split over
/// output tiles only, never over the reduction, so results are bit-identical for any thread count.
/// </summary>
internal static unsafe partial class Conv2dKernel
{
    // Column-chunk budget of the backward-input pass: K x chunk floats (16 MiB).
    private const long ColumnBudget = 1L << 22;

    /// <summary>output = conv(input, weight) + bias (+ residual, added to each finished output). bias (float32, length O)
    /// and residual (float32, laid out like the output) may be null.</summary>
    public static void Forward(in Conv2dGeometry g, float* input, void* weight, DType weightType, float* bias, float* output, float* residual = null)
        => Forward(Gemm.BestIsa, g, input, weight, weightType, bias, output, residual);

    /// <summary>gradInput (overwritten) from gradOutput and weight.</summary>
    public static void BackwardInput(in Conv2dGeometry g, float* gradOutput, void* weight, DType weightType, float* gradInput)
        => BackwardInput(Gemm.BestIsa, g, gradOutput, weight, weightType, gradInput);

    /// <summary>gradWeight [O, C/G, KH, KW] and gradBias [O] (either may be null), overwritten.</summary>
    public static void BackwardWeight(in Conv2dGeometry g, float* input, float* gradOutput, float* gradWeight, float* gradBias)
        => BackwardWeight(Gemm.BestIsa, g, input, gradOutput, gradWeight, gradBias);

    public static void Forward(KernelIsa isa, in Conv2dGeometry g, float* input, void* weight, DType weightType, float* bias, float* output, float* residual = null)
    {
        g.Validate();
        CheckWeightType(weightType);
        int cg = g.C / g.Groups, og = g.O / g.Groups, pixels = g.OutH * g.OutW, k = cg * g.KH * g.KW;
        bool v512 = isa == KernelIsa.Vector512;
        if (g.N > 1 && pixels % Gemm.PanelWidth(isa) == 0)
        {
            ForwardBatched(isa, g, input, weight, weightType, bias, output, residual);
            return;
        }
        for (int n = 0; n < g.N; n++)
            for (int grp = 0; grp < g.Groups; grp++)
            {
                float* image = input + ((long)n * g.C + grp * cg) * g.H * g.W;
                long offset = ((long)n * g.O + grp * og) * pixels;
                float* outG = output + offset;
                // The bias starts each output's multiply-add chain (written into each tile by the driver).
                var start = new GemmDriver.GemmOutput(pixels, 0, rowBias: bias is null ? null : bias + grp * og, residual: residual is null ? null : residual + offset);
                var w = new StridedPacker((byte*)weight + (long)grp * og * k * weightType.Size(), weightType, k, 1, 1f, isa);
                if (IsPointwise(g))
                    Gemm.Blocked(isa, og, pixels, k, w, new StridedPacker(image, DType.F32, 1, pixels, 1f, isa), outG, pixels, 0f, start);
                else
                    Gemm.Blocked(isa, og, pixels, k, w, new Im2colPacker(image, g, v512), outG, pixels, 0f, start);
            }
    }

    /// <summary>
    /// The forward as one GEMM per group over the whole batch: out[O/G, N·P] = W[O/G, K] · col[K, N·P], C's columns
    /// written image by image into [N, O, P]. Each output is the same chain of multiply-adds as in the per-image
    /// loop (bias, then k ascending), so results are identical; the weights are packed once per group, not per image.
    /// </summary>
    private static void ForwardBatched(KernelIsa isa, in Conv2dGeometry g, float* input, void* weight, DType weightType, float* bias, float* output, float* residual)
    {
        int cg = g.C / g.Groups, og = g.O / g.Groups, pixels = g.OutH * g.OutW, k = cg * g.KH * g.KW;
        int columns = checked(g.N * pixels);
        bool pointwise = IsPointwise(g);
        for (int grp = 0; grp < g.Groups; grp++)
        {
            float* outG = output + (long)grp * og * pixels;
            var w = new StridedPacker((byte*)weight + (long)grp * og * k * weightType.Size(), weightType, k, 1, 1f, isa);
            var col = new Conv2dBatchPacker(input + (long)grp * cg * g.H * g.W, g, isa, pointwise);
            var start = new GemmDriver.GemmOutput(pixels, (long)g.O * pixels, rowBias: bias is null ? null : bias + grp * og,
                residual: residual is null ? null : residual + (long)grp * og * pixels);
            Gemm.Blocked(isa, og, columns, k, w, col, outG, pixels, 0f, start);
        }
    }

    public static void BackwardInput(KernelIsa isa, in Conv2dGeometry g, float* gradOutput, void* weight, DType weightType, float* gradInput)
    {
        g.Validate();
        CheckWeightType(weightType);
        int cg = g.C / g.Groups, og = g.O / g.Groups, pixels = g.OutH * g.OutW, k = cg * g.KH * g.KW;
        bool v512 = isa == KernelIsa.Vector512;
        bool pointwise = IsPointwise(g);
        int chunk = pointwise ? pixels : (int)Math.Min(pixels, Math.Max(64, ColumnBudget / k));
        float* col = pointwise ? null : KernelWorkspace.Columns((long)k * chunk);
        for (int n = 0; n < g.N; n++)
            for (int grp = 0; grp < g.Groups; grp++)
            {
                float* gradIn = gradInput + ((long)n * g.C + grp * cg) * g.H * g.W;
                float* gradOut = gradOutput + ((long)n * g.O + grp * og) * pixels;
                // Wᵀ [K, O/G]: lanes are K (adjacent in memory), depth is o.
                var wt = new StridedPacker((byte*)weight + (long)grp * og * k * weightType.Size(), weightType, 1, k, 1f, isa);
                if (pointwise)
                {
                    Gemm.Blocked(isa, k, pixels, og, wt, new StridedPacker(gradOut, DType.F32, 1, pixels, 1f, isa), gradIn, pixels, 0f);
                    continue;
                }
                new Span<float>(gradIn, cg * g.H * g.W).Clear();
                for (int p0 = 0; p0 < pixels; p0 += chunk)
                {
                    int width = Math.Min(chunk, pixels - p0);
                    var go = new StridedPacker(gradOut + p0, DType.F32, 1, pixels, 1f, isa);
                    Gemm.Blocked(isa, k, width, og, wt, go, col, width, 0f);
                    Col2im(g, col, p0, width, gradIn);
                }
            }
    }

    public static void BackwardWeight(KernelIsa isa, in Conv2dGeometry g, float* input, float* gradOutput, float* gradWeight, float* gradBias)
    {
        g.Validate();
        int cg = g.C / g.Groups, og = g.O / g.Groups, pixels = g.OutH * g.OutW, k = cg * g.KH * g.KW;
        bool v512 = isa == KernelIsa.Vector512;
        if (gradBias is not null) BiasGradient(g, gradOutput, gradBias);
        if (gradWeight is null) return;
        long depth = (long)g.N * pixels;
        if (depth > int.MaxValue)
            throw new ArgumentException($"conv2d backward weight: batch x output pixels = {depth} exceeds the GEMM depth limit ({int.MaxValue}).");
        for (int grp = 0; grp < g.Groups; grp++)
        {
            float* dW = gradWeight + (long)grp * og * k;
            var go = new BatchedRowsPacker(gradOutput + (long)grp * og * pixels, (long)g.O * pixels, pixels, pixels, isa);
            float* image = input + (long)grp * cg * g.H * g.W;
            long imageStride = (long)g.C * g.H * g.W;
            if (IsPointwise(g))
                Gemm.Blocked(isa, og, k, (int)depth, go, new BatchedRowsPacker(image, imageStride, (long)g.H * g.W, pixels, isa), dW, k, 0f);
            else
                Gemm.Blocked(isa, og, k, (int)depth, go, new Im2colTransposedPacker(image, imageStride, g, v512), dW, k, 0f);
        }
    }

    /// <summary>1x1, stride 1, no padding: the input plane [C, H·W] is already the column matrix.</summary>
    private static bool IsPointwise(in Conv2dGeometry g)
        => g.KH == 1 && g.KW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0;

    private static void CheckWeightType(DType t)
    {
        if (t is not (DType.F32 or DType.F16 or DType.BF16))
            throw new ArgumentException($"conv2d: weight dtype {t} is not floating (expected F32, F16 or BF16).");
    }

    /// <summary>
    /// Scatter-adds a chunk of column gradients (rows (c, ky, kx), pixels [p0, p0 + width)) into the input
    /// gradient of one image and group. Parallel over channels: each channel's plane is written by one
    /// thread, in (ky, kx, pixel) order, so the sum order per element is fixed.
    /// </summary>
    private static void Col2im(Conv2dGeometry g, float* col, int p0, int width, float* gradIn)
    {
        int cg = g.C / g.Groups, taps = g.KH * g.KW;
        bool parallel = (long)cg * taps * width >= 1 << 16;
        Parallelism.For(parallel ? cg : 1, i =>
        {
            int cFrom = parallel ? i : 0, cTo = parallel ? i + 1 : cg;
            for (int c = cFrom; c < cTo; c++)
            {
                float* plane = gradIn + (long)c * g.H * g.W;
                for (int ky = 0; ky < g.KH; ky++)
                    for (int kx = 0; kx < g.KW; kx++)
                        Col2imRow(g, col + ((long)c * taps + ky * g.KW + kx) * width, p0, width, ky, kx, plane);
            }
        });
    }

    /// <summary>One tap's column row: output pixels [p0, p0 + width) add into the input plane, an output row at a time.
    /// For a fixed tap each pixel maps to a distinct input element, so vectorising changes no sum order.</summary>
    private static void Col2imRow(in Conv2dGeometry g, float* row, int p0, int width, int ky, int kx, float* plane)
    {
        int ow = g.OutW, sw = g.StrideW;
        for (int j = 0; j < width;)
        {
            int pixel = p0 + j, y = pixel / ow, x = pixel % ow;
            int run = Math.Min(width - j, ow - x);
            int iy = y * g.StrideH - g.PadH + ky * g.DilationH;
            if ((uint)iy < (uint)g.H)
            {
                int ix0 = x * sw - g.PadW + kx * g.DilationW;
                // Valid t: 0 <= ix0 + t·sw < W.
                int tFrom = ix0 >= 0 ? 0 : (-ix0 + sw - 1) / sw;
                int tTo = ix0 >= g.W ? 0 : Math.Min(run, (g.W - ix0 + sw - 1) / sw);
                float* dst = plane + (long)iy * g.W + ix0;
                float* src = row + j;
                if (sw == 1)
                    AddInPlace(dst + tFrom, src + tFrom, tTo - tFrom);
                else
                    for (int t = tFrom; t < tTo; t++) dst[(long)t * sw] += src[t];
            }
            j += run;
        }
    }

    private static void AddInPlace(float* dst, float* src, int count)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= count - 8; i += 8)
                (Vector256.Load(dst + i) + Vector256.Load(src + i)).Store(dst + i);
        for (; i < count; i++) dst[i] += src[i];
    }

    private static void BiasGradient(in Conv2dGeometry g, float* gradOutput, float* gradBias)
    {
        int pixels = g.OutH * g.OutW;
        for (int o = 0; o < g.O; o++)
        {
            float sum = 0f;
            for (int n = 0; n < g.N; n++)
            {
                float* row = gradOutput + ((long)n * g.O + o) * pixels;
                for (int i = 0; i < pixels; i++) sum += row[i];
            }
            gradBias[o] = sum;
        }
    }
}
