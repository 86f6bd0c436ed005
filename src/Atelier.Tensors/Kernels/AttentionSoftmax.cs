using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// The streaming ("online") softmax of FlashAttention over tiles of base-2 scores laid out [keys, lanes],
/// one query per lane: running row maximum m and row sum ℓ per lane, and the factor α that rescales
/// the output accumulator when the maximum grows. Elementwise across lanes, so no horizontal reductions.
/// </summary>
internal static unsafe class AttentionSoftmax
{
    /// <summary>
    /// One key block. For each lane l: m' = max(m, max_j s[j, l]); α = 2^(m − m'); s[j, l] ← 2^(s[j, l] − m');
    /// ℓ' = α ℓ + Σ_j s[j, l] (j ascending). A lane whose scores are all −∞ so far (masked) keeps m' = −∞,
    /// gets zeros and ℓ' = 0. Returns whether some α differs from 1, i.e. whether the caller must rescale.
    /// </summary>
    /// <param name="s">[rows, lanes] scores with row stride <paramref name="stride"/>, replaced by the weights p.</param>
    /// <param name="max">[lanes] running maximum m, updated.</param>
    /// <param name="sum">[lanes] running sum ℓ, updated.</param>
    /// <param name="alpha">[lanes] output: the rescale factor α of this step.</param>
    public static bool Step(AttentionIsa isa, float* s, int rows, int lanes, long stride, float* max, float* sum, float* alpha)
    {
        bool rescale = false;
        int l = 0;
        if (isa == AttentionIsa.Vector512)
            for (; l + 16 <= lanes; l += 16) rescale |= Step512(s + l, rows, stride, max + l, sum + l, alpha + l);
        else if (isa == AttentionIsa.Vector256)
            for (; l + 8 <= lanes; l += 8) rescale |= Step256(s + l, rows, stride, max + l, sum + l, alpha + l);
        for (; l < lanes; l++) rescale |= StepScalar(s + l, rows, stride, max + l, sum + l, alpha + l);
        return rescale;
    }

    /// <summary>acc[r, l] *= alpha[l] for r &lt; rows, l &lt; lanes (row stride <paramref name="stride"/>).</summary>
    public static void Rescale(AttentionIsa isa, float* acc, int rows, int lanes, long stride, float* alpha)
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = acc + r * stride;
            int l = 0;
            if (isa == AttentionIsa.Vector512)
                for (; l + 16 <= lanes; l += 16) (Vector512.Load(row + l) * Vector512.Load(alpha + l)).Store(row + l);
            else if (isa == AttentionIsa.Vector256)
                for (; l + 8 <= lanes; l += 8) (Vector256.Load(row + l) * Vector256.Load(alpha + l)).Store(row + l);
            for (; l < lanes; l++) row[l] *= alpha[l];
        }
    }

    /// <summary>
    /// Backward recomputation: s[j, l] ← 2^(s[j, l] − lse2[l]) (the forward's weights, from its base-2 log-sum-exp).
    /// A lane with lse2 = +∞ (a query that sees no key, or a padding lane) gets 0.
    /// </summary>
    public static void Probabilities(AttentionIsa isa, float* s, int rows, int lanes, long stride, float* lse2)
    {
        for (int j = 0; j < rows; j++)
        {
            float* sj = s + j * stride;
            int l = 0;
            if (isa == AttentionIsa.Vector512)
                for (; l + 16 <= lanes; l += 16) AttentionExp2.Exp2(Vector512.Load(sj + l) - Vector512.Load(lse2 + l)).Store(sj + l);
            else if (isa == AttentionIsa.Vector256)
                for (; l + 8 <= lanes; l += 8) AttentionExp2.Exp2(Vector256.Load(sj + l) - Vector256.Load(lse2 + l)).Store(sj + l);
            for (; l < lanes; l++) sj[l] = AttentionExp2.Exp2(sj[l] - lse2[l]);
        }
    }

    /// <summary>
    /// Softmax backward: dp[j, l] ← p[j, l] · (dp[j, l] − delta[l]), with delta = rowsum(dO ∘ O) (FlashAttention-2,
    /// Algorithm 2); the caller applies the score scale.
    /// </summary>
    public static void ScoreGradient(AttentionIsa isa, float* p, float* dp, int rows, int lanes, long stride, float* delta)
    {
        for (int j = 0; j < rows; j++)
        {
            float* pj = p + j * stride, dpj = dp + j * stride;
            int l = 0;
            if (isa == AttentionIsa.Vector512)
                for (; l + 16 <= lanes; l += 16)
                    (Vector512.Load(pj + l) * (Vector512.Load(dpj + l) - Vector512.Load(delta + l))).Store(dpj + l);
            else if (isa == AttentionIsa.Vector256)
                for (; l + 8 <= lanes; l += 8)
                    (Vector256.Load(pj + l) * (Vector256.Load(dpj + l) - Vector256.Load(delta + l))).Store(dpj + l);
            for (; l < lanes; l++) dpj[l] = pj[l] * (dpj[l] - delta[l]);
        }
    }

    /// <summary>The definition, one lane.</summary>
    private static bool StepScalar(float* s, int rows, long stride, float* max, float* sum, float* alpha)
    {
        float m = *max, mNew = m;
        for (int j = 0; j < rows; j++) mNew = MathF.Max(mNew, s[j * stride]);
        // A lane with no visible key yet measures from 0 instead of −∞, so −∞ − m' stays −∞ (weight 0), not NaN.
        float origin = float.IsNegativeInfinity(mNew) ? 0f : mNew;
        float a = AttentionExp2.Exp2(m - origin);
        float rowSum = 0f;
        for (int j = 0; j < rows; j++)
        {
            float p = AttentionExp2.Exp2(s[j * stride] - origin);
            s[j * stride] = p;
            rowSum += p;
        }
        *sum = *sum * a + rowSum;
        *max = mNew;
        *alpha = a;
        return a != 1f;
    }

    private static bool Step512(float* s, int rows, long stride, float* max, float* sum, float* alpha)
    {
        Vector512<float> m = Vector512.Load(max);
        // Four partial maxima break the vmaxps latency chain; max is exact, so the grouping changes nothing.
        Vector512<float> m0 = m, m1 = m, m2 = m, m3 = m;
        int j = 0;
        for (; j + 4 <= rows; j += 4)
        {
            float* sj = s + j * stride;
            m0 = Avx512F.Max(m0, Vector512.Load(sj));
            m1 = Avx512F.Max(m1, Vector512.Load(sj + stride));
            m2 = Avx512F.Max(m2, Vector512.Load(sj + 2 * stride));
            m3 = Avx512F.Max(m3, Vector512.Load(sj + 3 * stride));
        }
        for (; j < rows; j++) m0 = Avx512F.Max(m0, Vector512.Load(s + j * stride));
        Vector512<float> mNew = Avx512F.Max(Avx512F.Max(m0, m1), Avx512F.Max(m2, m3));
        Vector512<float> origin = Vector512.ConditionalSelect(
            Vector512.Equals(mNew, Vector512.Create(float.NegativeInfinity)), Vector512<float>.Zero, mNew);
        Vector512<float> a = AttentionExp2.Exp2(m - origin);
        Vector512<float> rowSum = Vector512<float>.Zero;
        for (j = 0; j < rows; j++)
        {
            float* sj = s + j * stride;
            Vector512<float> p = AttentionExp2.Exp2(Vector512.Load(sj) - origin);
            p.Store(sj);
            rowSum += p;
        }
        Vector512.FusedMultiplyAdd(Vector512.Load(sum), a, rowSum).Store(sum);
        mNew.Store(max);
        a.Store(alpha);
        return !Vector512.EqualsAll(a, Vector512<float>.One);
    }

    private static bool Step256(float* s, int rows, long stride, float* max, float* sum, float* alpha)
    {
        Vector256<float> m = Vector256.Load(max);
        Vector256<float> m0 = m, m1 = m, m2 = m, m3 = m;
        int j = 0;
        for (; j + 4 <= rows; j += 4)
        {
            float* sj = s + j * stride;
            m0 = Avx.Max(m0, Vector256.Load(sj));
            m1 = Avx.Max(m1, Vector256.Load(sj + stride));
            m2 = Avx.Max(m2, Vector256.Load(sj + 2 * stride));
            m3 = Avx.Max(m3, Vector256.Load(sj + 3 * stride));
        }
        for (; j < rows; j++) m0 = Avx.Max(m0, Vector256.Load(s + j * stride));
        Vector256<float> mNew = Avx.Max(Avx.Max(m0, m1), Avx.Max(m2, m3));
        Vector256<float> origin = Vector256.ConditionalSelect(
            Vector256.Equals(mNew, Vector256.Create(float.NegativeInfinity)), Vector256<float>.Zero, mNew);
        Vector256<float> a = AttentionExp2.Exp2(m - origin);
        Vector256<float> rowSum = Vector256<float>.Zero;
        for (j = 0; j < rows; j++)
        {
            float* sj = s + j * stride;
            Vector256<float> p = AttentionExp2.Exp2(Vector256.Load(sj) - origin);
            p.Store(sj);
            rowSum += p;
        }
        Vector256.FusedMultiplyAdd(Vector256.Load(sum), a, rowSum).Store(sum);
        mNew.Store(max);
        a.Store(alpha);
        return !Vector256.EqualsAll(a, Vector256<float>.One);
    }
}
