using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Tensors.Kernels;

/// <summary>
/// 2^t for the streaming softmax, which works in base 2 (scores are pre-multiplied by log2 e, so
/// <c>e^(x - m) = 2^(t - m2)</c> and the range reduction is exact). The scalar path is <see cref="float.Exp2(float)"/>;
/// the vector paths split t = n + f with n = round(t), |f| ≤ 1/2, evaluate a degree-6 polynomial for 2^f and
/// scale by 2^n. Measured error (tests): 0.81 ulp at worst against 2^t in double precision for t ≥ −125.
/// </summary>
/// <remarks>
/// NaN stays NaN. −∞ and every t below the range give exactly 0, so masked scores (−∞) drop out. Below
/// 2^−125 the paths differ: Vector512 (<c>vscalefps</c>) rounds to the subnormal result, Vector256 flushes to 0;
/// such weights are at most 2^−125 of the row's largest, which no float output can show.
/// </remarks>
internal static class AttentionExp2
{
    // 2^f ≈ 1 + f (C0 + f (C1 + f (C2 + f (C3 + f (C4 + f C5))))) on [-1/2, 1/2]: weighted Remez fit of the
    // relative error with the constant term pinned to 1 (so 2^0 is exactly 1, like the reference's exp(0));
    // fitted relative error 1.5e-8, below the float rounding of the evaluation itself.
    private const float C0 = 6.931471856e-01f;
    private const float C1 = 2.402264402e-01f;
    private const float C2 = 5.550371203e-02f;
    private const float C3 = 9.619342338e-03f;
    private const float C4 = 1.338338643e-03f;
    private const float C5 = 1.499175513e-04f;

    // 1.5 * 2^23: adding it rounds any |t| < 2^22 to an integer held in the low mantissa bits.
    private const float RoundingShift = 12582912f;

    public static float Exp2(float t) => float.Exp2(t);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp2(Vector512<float> t)
    {
        // vmaxps returns its second operand when either is NaN, so NaN passes; −∞ and huge negatives become
        // −160, whose 2^n underflows to exactly 0 under vscalefps.
        t = Avx512F.Max(Vector512.Create(-160f), t);
        Vector512<float> shifted = t + Vector512.Create(RoundingShift);
        Vector512<float> n = shifted - Vector512.Create(RoundingShift);
        Vector512<float> f = t - n;
        Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(C5), f, Vector512.Create(C4));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(C3));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(C2));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(C1));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(C0));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512<float>.One);
        return Avx512F.Scale(p, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp2(Vector256<float> t)
    {
        // Results below 2^-125 are flushed to 0 (the exponent add below is only exact for normal results).
        // "t < -125" is false for NaN, so NaN is kept; Avx.Max passes NaN through its second operand.
        Vector256<float> underflow = Vector256.LessThan(t, Vector256.Create(-125f));
        t = Avx.Max(Vector256.Create(-125f), t);
        Vector256<float> shifted = t + Vector256.Create(RoundingShift);
        Vector256<float> n = shifted - Vector256.Create(RoundingShift);
        Vector256<float> f = t - n;
        Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(C5), f, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(C1));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(C0));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256<float>.One);
        // The low mantissa bits of 'shifted' hold n (two's complement); shifted left by 23 they land in the
        // exponent field and the constant's own bits shift out, so the add multiplies p by 2^n.
        Vector256<int> scaled = p.AsInt32() + (shifted.AsInt32() << 23);
        return Vector256.AndNot(scaled.AsSingle(), underflow);
    }
}
