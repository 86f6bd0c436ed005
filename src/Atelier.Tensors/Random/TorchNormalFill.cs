namespace Atelier.Tensors;

/// <summary>
/// PyTorch's float32 normal fill for contiguous tensors of at least 16 elements (<c>normal_fill</c> /
/// <c>normal_fill_AVX2</c> in <c>aten/src/ATen/native/cpu/DistributionTemplates.h</c>, unchanged from 1.13 to 2.x):
/// <list type="number">
/// <item>every element receives a uniform <c>(random() &amp; 0xFFFFFF) * 2^-24</c> in [0, 1), in order;</item>
/// <item>each full block of 16 is transformed in place by Box–Muller on 8 pairs: u1 = 1 - x[j] (in (0, 1]),
/// u2 = x[j+8], r = sqrt(-2 ln u1), θ = 2π u2, x[j] = r cos θ, x[j+8] = r sin θ (then * std + mean);</item>
/// <item>when n % 16 ≠ 0, 16 fresh uniforms overwrite the last 16 elements (overlapping the last full block) and that
/// block is transformed again. A ragged tensor therefore consumes n + 16 draws.</item>
/// </list>
/// </summary>
internal static class TorchNormalFill
{
    // 2π as PyTorch passes it: the double 2 * pi rounded once to float (_mm256_set1_ps(2.0f * c10::pi<double>)).
    private const float TwoPiFloat = (float)(2.0 * Math.PI);

    /// <summary>Fills <paramref name="data"/> (length ≥ 16) with N(mean, std²) draws from <paramref name="engine"/>.</summary>
    public static void Fill(MersenneTwister19937 engine, Span<float> data, float mean, float std, TorchNormalPath path)
    {
        if (data.Length < 16)
            throw new ArgumentException($"normal fill: the block kernel needs at least 16 elements, got {data.Length}; smaller tensors use the double-precision path.", nameof(data));

        for (int i = 0; i < data.Length; i++)
            data[i] = TorchUniform.NextFloat(engine);

        int fullBlocksEnd = data.Length - data.Length % 16;
        for (int i = 0; i < fullBlocksEnd; i += 16)
            TransformBlock(data.Slice(i, 16), mean, std, path);

        if (fullBlocksEnd != data.Length)
        {
            Span<float> tail = data[^16..];
            for (int i = 0; i < 16; i++)
                tail[i] = TorchUniform.NextFloat(engine);
            TransformBlock(tail, mean, std, path);
        }
    }

    private static void TransformBlock(Span<float> block, float mean, float std, TorchNormalPath path)
    {
        if (path == TorchNormalPath.Avx2)
            TransformBlockAvx2(block, mean, std);
        else
            TransformBlockScalar(block, mean, std);
    }

    /// <summary>
    /// <c>normal_fill_16_AVX2</c> lane by lane: θ is a float product, log/sin/cos are avx_mathfun's Cephes polynomials,
    /// the result is <c>fmadd(r·cos θ, std, mean)</c>.
    /// </summary>
    internal static void TransformBlockAvx2(Span<float> block, float mean, float std)
    {
        for (int j = 0; j < 8; j++)
        {
            float u1 = 1f - block[j];
            float u2 = block[j + 8];
            float radius = MathF.Sqrt(-2f * CephesFloatMath.Log(u1));
            float theta = TwoPiFloat * u2;
            CephesFloatMath.SinCos(theta, out float sin, out float cos);
            block[j] = MathF.FusedMultiplyAdd(radius * cos, std, mean);
            block[j + 8] = MathF.FusedMultiplyAdd(radius * sin, std, mean);
        }
    }

    /// <summary>
    /// <c>normal_fill_16&lt;float&gt;</c>: θ is computed in double (2π·u2) and rounded to float; log/cos/sin are the C
    /// library's float functions.
    /// </summary>
    internal static void TransformBlockScalar(Span<float> block, float mean, float std)
    {
        for (int j = 0; j < 8; j++)
        {
            float u1 = 1f - block[j];
            float u2 = block[j + 8];
            float radius = MathF.Sqrt(-2f * MathF.Log(u1));
            float theta = (float)(2.0 * Math.PI * u2);
            block[j] = MathF.FusedMultiplyAdd(radius * MathF.Cos(theta), std, mean);
            block[j + 8] = MathF.FusedMultiplyAdd(radius * MathF.Sin(theta), std, mean);
        }
    }
}
