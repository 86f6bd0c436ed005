using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Atelier.Tensors.Kernels;

/// <summary>(x - mean) · scale + shift with per-run constants: one channel of GroupNorm.</summary>
internal readonly struct NormalizeOperator(float mean, float scale, float shift) : IUnaryOperator
{
    public float Invoke(float x) => MathF.FusedMultiplyAdd(x - mean, scale, shift);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.FusedMultiplyAdd(x - Vector256.Create(mean), Vector256.Create(scale), Vector256.Create(shift));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.FusedMultiplyAdd(x - Vector512.Create(mean), Vector512.Create(scale), Vector512.Create(shift));
}

/// <summary>SiLU((x - mean) · scale + shift): one channel of the fused GroupNorm + SiLU (the same float operations as the two ops in turn).</summary>
internal readonly struct NormalizeSiluOperator(float mean, float scale, float shift) : IUnaryOperator
{
    public float Invoke(float x) => new SiluOperator(1f).Invoke(new NormalizeOperator(mean, scale, shift).Invoke(x));
    public Vector256<float> Invoke(Vector256<float> x) => new SiluOperator(1f).Invoke(new NormalizeOperator(mean, scale, shift).Invoke(x));
    public Vector512<float> Invoke(Vector512<float> x) => new SiluOperator(1f).Invoke(new NormalizeOperator(mean, scale, shift).Invoke(x));
}

/// <summary>
/// LayerNorm and GroupNorm forward passes over contiguous float32 data. Statistics are two-pass (mean, then the
/// mean squared deviation), biased variance as PyTorch, accumulated blockwise in double (see
/// <see cref="SumKernel.Moments"/>). The affine step subtracts the mean before scaling so large means cost no
/// precision. References: <see cref="LayerNormReference"/>, <see cref="GroupNormReference"/>.
/// </summary>
internal static unsafe class NormalizationKernel
{
    private const long ChunkElements = 1 << 15;

    /// <summary>
    /// y[r, j] = (x[r, j] - μ_r) · ρ_r · w[j] + b[j] over [rows, n]; w and b have n elements (the caller passes
    /// ones/zeros when absent); μ and ρ = 1/√(σ² + eps) are written per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LayerNorm(float* x, float* w, float* b, float* y, float* mean, float* rstd, long rows, int n, float eps)
    {
        long rowsPerItem = Math.Max(1, ChunkElements / Math.Max(1, n));
        int items = checked((int)((rows + rowsPerItem - 1) / rowsPerItem));
        Parallelism.For(items, item =>
        {
            long r1 = Math.Min(rows, (item + 1) * rowsPerItem);
            for (long r = item * rowsPerItem; r < r1; r++)
            {
                float* xr = x + r * n, yr = y + r * n;
                var (m, sq) = SumKernel.Moments(xr, n);
                float rs = 1f / MathF.Sqrt((float)(sq / n) + eps);
                mean[r] = m;
                rstd[r] = rs;
                NormalizeRow(xr, w, b, yr, n, m, rs);
            }
        });
    }

    /// <summary>y = (x - m) · r · w + b over one row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void NormalizeRow(float* x, float* w, float* b, float* y, int n, float m, float r)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vm = Vector512.Create(m);
            var vr = Vector512.Create(r);
            for (; i <= n - 16; i += 16)
                Vector512.Store(Vector512.FusedMultiplyAdd((Vector512.Load(x + i) - vm) * vr, Vector512.Load(w + i), Vector512.Load(b + i)), y + i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(m);
            var vr = Vector256.Create(r);
            for (; i <= n - 8; i += 8)
                Vector256.Store(Vector256.FusedMultiplyAdd((Vector256.Load(x + i) - vm) * vr, Vector256.Load(w + i), Vector256.Load(b + i)), y + i);
        }
        // Tail (and the scalar path): the same fused operations, element by element.
        for (; i < n; i++) y[i] = MathF.FusedMultiplyAdd((x[i] - m) * r, w[i], b[i]);
    }

    public static void LayerNormReference(float* x, float* w, float* b, float* y, float* mean, float* rstd, long rows, int n, float eps)
    {
        for (long r = 0; r < rows; r++)
        {
            float* xr = x + r * n, yr = y + r * n;
            double s = 0;
            for (int i = 0; i < n; i++) s += xr[i];
            float m = (float)(s / n);
            double sq = 0;
            for (int i = 0; i < n; i++) sq += (double)(xr[i] - m) * (xr[i] - m);
            float rs = 1f / MathF.Sqrt((float)(sq / n) + eps);
            mean[r] = m;
            rstd[r] = rs;
            for (int i = 0; i < n; i++) yr[i] = MathF.FusedMultiplyAdd((xr[i] - m) * rs, w[i], b[i]);
        }
    }

    /// <summary>
    /// GroupNorm over x [N, C, S] (S = spatial size): channels split into <paramref name="groups"/> contiguous
    /// groups; each (n, group) block of C/G·S elements is normalised with its own statistics, then scaled and
    /// shifted per channel by gamma/beta (length C; ones/zeros when absent). μ, ρ written as [N, G]. With
    /// <paramref name="silu"/> the result goes through SiLU in the same pass (GroupNorm + SiLU fused).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GroupNorm(float* x, float* gamma, float* beta, float* y, float* mean, float* rstd, int n, int c, long s, int groups, float eps, bool silu = false)
    {
        int cg = c / groups;
        long blockSize = cg * s;
        Parallelism.For(n * groups, item =>
        {
            float* xb = x + item * blockSize, yb = y + item * blockSize;
            var (m, sq) = SumKernel.Moments(xb, blockSize);
            float rs = 1f / MathF.Sqrt((float)(sq / blockSize) + eps);
            mean[item] = m;
            rstd[item] = rs;
            int g = item % groups;
            for (int k = 0; k < cg; k++)
            {
                int ch = g * cg + k;
                if (silu) UnaryKernel.Apply(new NormalizeSiluOperator(m, rs * gamma[ch], beta[ch]), xb + k * s, yb + k * s, s);
                else UnaryKernel.Apply(new NormalizeOperator(m, rs * gamma[ch], beta[ch]), xb + k * s, yb + k * s, s);
            }
        });
    }

    public static void GroupNormReference(float* x, float* gamma, float* beta, float* y, float* mean, float* rstd, int n, int c, long s, int groups, float eps, bool silu = false)
    {
        int cg = c / groups;
        long blockSize = cg * s;
        for (int item = 0; item < n * groups; item++)
        {
            float* xb = x + item * blockSize, yb = y + item * blockSize;
            double sum = 0;
            for (long i = 0; i < blockSize; i++) sum += xb[i];
            float m = (float)(sum / blockSize);
            double sq = 0;
            for (long i = 0; i < blockSize; i++) sq += (double)(xb[i] - m) * (xb[i] - m);
            float rs = 1f / MathF.Sqrt((float)(sq / blockSize) + eps);
            mean[item] = m;
            rstd[item] = rs;
            int g = item % groups;
            for (int k = 0; k < cg; k++)
            {
                int ch = g * cg + k;
                float scale = rs * gamma[ch];
                for (long i = 0; i < s; i++)
                {
                    float v = MathF.FusedMultiplyAdd(xb[k * s + i] - m, scale, beta[ch]);
                    yb[k * s + i] = silu ? v / (1f + MathF.Exp(-v)) : v;
                }
            }
        }
    }
}
