namespace Atelier.Tensors;

/// <summary>
/// Single-precision natural log and sine/cosine, computed operation for operation as PyTorch's AVX2 normal
/// sampler computes them: <c>log256_ps</c> and <c>sincos256_ps</c> of <c>aten/src/ATen/native/cpu/avx_mathfun.h</c>
/// (G. Garberoglio's AVX port of J. Pommier's sse_mathfun, itself a transcription of the Cephes <c>logf</c> /
/// <c>sinf</c> / <c>cosf</c> polynomials; not SLEEF), one lane at a time.
/// <para>
/// These are not accurate libm replacements (about 1-2 ulp); they exist to reproduce PyTorch's bits. Every step is a
/// single IEEE-754 float operation (add, multiply, fused multiply-add, conversion, bit mask), so the results are the same
/// on every machine and with or without hardware intrinsics. Where GCC contracts a multiply feeding an add into one
/// FMA when it builds PyTorch (x86-64 builds use <c>-mavx2 -mfma</c> and GCC's default <c>-ffp-contract=fast</c>),
/// this code uses <see cref="MathF.FusedMultiplyAdd"/> (GCC's tree-ssa-math-opts rule: a product whose every use is an
/// add or subtract becomes an FMA; where both operands of an add are products, the earlier statement's product is the one
/// fused). This reading reproduces every random tensor of the PyTorch 1.13 reference fixtures bit for bit (latent and
/// scheduler noise, 2.4 M initial weights; TorchGeneratorFixtureTests); the unfused reading misses about 1% of elements by an ulp.
/// </para>
/// </summary>
internal static class CephesFloatMath
{
    // Constants are double literals rounded to float, exactly as the C header writes them (a float literal would
    // round the decimal directly and could differ in the last bit).
    private const float SqrtHalf = (float)0.707106781186547524;
    private const float LogP0 = (float)7.0376836292E-2;
    private const float LogP1 = (float)-1.1514610310E-1;
    private const float LogP2 = (float)1.1676998740E-1;
    private const float LogP3 = (float)-1.2420140846E-1;
    private const float LogP4 = (float)1.4249322787E-1;
    private const float LogP5 = (float)-1.6668057665E-1;
    private const float LogP6 = (float)2.0000714765E-1;
    private const float LogP7 = (float)-2.4999993993E-1;
    private const float LogP8 = (float)3.3333331174E-1;
    private const float LogQ1 = (float)-2.12194440e-4;
    private const float LogQ2 = (float)0.693359375;

    private const float MinusDp1 = (float)-0.78515625;
    private const float MinusDp2 = (float)-2.4187564849853515625e-4;
    private const float MinusDp3 = (float)-3.77489497744594108e-8;
    private const float SinP0 = (float)-1.9515295891E-4;
    private const float SinP1 = (float)8.3321608736E-3;
    private const float SinP2 = (float)-1.6666654611E-1;
    private const float CosP0 = (float)2.443315711809948E-005;
    private const float CosP1 = (float)-1.388731625493765E-003;
    private const float CosP2 = (float)4.166664568298827E-002;
    private const float FourOverPi = (float)1.27323954473516;

    private const int MinNormPosBits = 0x00800000;
    private const int InverseExponentMask = ~0x7f800000;
    private const int SignMask = unchecked((int)0x80000000);

    /// <summary>
    /// <c>log256_ps</c> for one lane. x &lt;= 0 gives NaN (all bits set); subnormal x is treated as the smallest normal;
    /// NaN input gives log(smallest normal), as the vector code does.
    /// </summary>
    public static float Log(float x)
    {
        bool invalid = x <= 0f;
        float minNorm = BitConverter.Int32BitsToSingle(MinNormPosBits);
        x = x > minNorm ? x : minNorm; // _mm256_max_ps(x, min): the second operand when unordered

        int bits = BitConverter.SingleToInt32Bits(x);
        int exponent = (int)((uint)bits >> 23);
        // Keep the mantissa, force the exponent of 0.5: x in [0.5, 1).
        x = BitConverter.Int32BitsToSingle((bits & InverseExponentMask) | BitConverter.SingleToInt32Bits(0.5f));
        float e = exponent - 0x7f;
        e += 1f;

        // if (x < sqrt(1/2)) { e -= 1; x = x + x - 1; } else { x = x - 1; }
        bool below = x < SqrtHalf;
        float tmp = below ? x : 0f;
        x -= 1f;
        e -= below ? 1f : 0f;
        x += tmp;

        float z = x * x;
        float y = MulAdd(LogP0, x, LogP1);
        y = MulAdd(y, x, LogP2);
        y = MulAdd(y, x, LogP3);
        y = MulAdd(y, x, LogP4);
        y = MulAdd(y, x, LogP5);
        y = MulAdd(y, x, LogP6);
        y = MulAdd(y, x, LogP7);
        y = MulAdd(y, x, LogP8);
        y *= x;
        y = MulAdd(y, z, e * LogQ1);
        y = MulAdd(-z, 0.5f, y);
        x += y;
        x = MulAdd(e, LogQ2, x);
        return invalid ? BitConverter.Int32BitsToSingle(-1) : x;
    }

    /// <summary><c>sincos256_ps</c> for one lane: Cephes range reduction by π/4 (exact for |x| &lt; 8192), two polynomials.</summary>
    public static void SinCos(float x, out float sin, out float cos)
    {
        int signSin = BitConverter.SingleToInt32Bits(x) & SignMask;
        x = MathF.Abs(x);

        // j = (int)(x * 4/π) rounded up to even; y = j as float.
        int j = TruncateToInt32(x * FourOverPi);
        j = (j + 1) & ~1;
        float y = j;

        int swapSignSin = (j & 4) << 29;
        bool useSinPolynomialForSin = (j & 2) == 0;

        // Extended-precision modular arithmetic: x = ((x - y*DP1) - y*DP2) - y*DP3.
        x = MulAdd(y, MinusDp1, x);
        x = MulAdd(y, MinusDp2, x);
        x = MulAdd(y, MinusDp3, x);

        int signCos = (~(j - 2) & 4) << 29;
        signSin ^= swapSignSin;

        float z = x * x;
        // cos polynomial on [0, π/4]
        float c = MulAdd(CosP0, z, CosP1);
        c = MulAdd(c, z, CosP2);
        c *= z;
        c = MulAdd(c, z, -(z * 0.5f));
        c += 1f;

        // sin polynomial on [0, π/4]
        float s = MulAdd(SinP0, z, SinP1);
        s = MulAdd(s, z, SinP2);
        s *= z;
        s = MulAdd(s, x, x);

        // Lane selection as the vector code does it (masks, then adds of +0), which also fixes the sign of zero.
        float sinFromS = useSinPolynomialForSin ? s : 0f;
        float sinFromC = useSinPolynomialForSin ? 0f : c;
        float cRest = c - sinFromC;
        float sRest = s - sinFromS;
        float sinValue = sinFromC + sinFromS;
        float cosValue = cRest + sRest;

        sin = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(sinValue) ^ signSin);
        cos = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(cosValue) ^ signCos);
    }

    // _mm256_cvttps_epi32: truncation; NaN and out-of-range give 0x80000000 (C# casts saturate instead).
    private static int TruncateToInt32(float value) =>
        value >= -2147483648f && value < 2147483648f ? (int)value : int.MinValue;

    // A multiply whose only use is an add: GCC fuses these when it builds PyTorch (see the class comment). The
    // unfused variant (a * b + c, two roundings) disagrees with PyTorch 1.13 in about 1% of normal draws by 1 ulp.
    private static float MulAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
}
