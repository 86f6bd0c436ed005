namespace Atelier.Tensors.Tests;

/// <summary>
/// TorchGenerator against outputs PyTorch is published to give, plus the structure of its draws for every size
/// (which path, how many 32-bit draws, the cached Box–Muller value) and state save/restore.
/// </summary>
public class TorchGeneratorTests
{
    // ---- published PyTorch outputs -------------------------------------------------------------------------------

    [Fact]
    public void RandnSmallTensorsMatchPublishedPyTorchOutputs()
    {
        // pytorch/pytorch issue #80202 ("randn depends on tensor size", PyTorch 1.11 CPU), printed to 4 decimals:
        // seed 0: randn(1,7)[0] = 1.5410, the next randn(1,7)[0] = 0.8380 (the cached sin value), randn(2,7)[:,0] = [1.5410, 0.8380].
        var g = new TorchGenerator(0);
        Assert.Equal(1.5410f, g.Randn(1, 7)[0], 5e-5f);
        Assert.Equal(0.8380f, g.Randn(1, 7)[0], 5e-5f);
        float[] fourteen = g.ManualSeed(0).Randn(2, 7);
        Assert.Equal(1.5410f, fourteen[0], 5e-5f);
        Assert.Equal(0.8380f, fourteen[7], 5e-5f);

        // sprintchase.com torch.randn article: torch.manual_seed(42); torch.randn(2, 3).
        AssertClose([0.3367f, 0.1288f, 0.2345f, 0.2303f, -1.1229f, -0.1863f], g.ManualSeed(42).Randn(2, 3), 5e-5f);
    }

    [Fact]
    public void RandnBlockPathMatchesPublishedPyTorchOutputs()
    {
        // Issue #80202 again: randn(1,8) stays on the small path (1.5410, then -0.7193) but randn(2,8) has 16 elements and
        // takes the block path: [:,0] = [-1.1258, 0.3223].
        var g = new TorchGenerator(0);
        Assert.Equal(1.5410f, g.Randn(1, 8)[0], 5e-5f);
        Assert.Equal(-0.7193f, g.Randn(1, 8)[0], 5e-5f);
        float[] sixteen = g.ManualSeed(0).Randn(2, 8);
        Assert.Equal(-1.1258f, sixteen[0], 5e-5f);
        Assert.Equal(0.3223f, sixteen[8], 5e-5f);
    }

    [Fact]
    public void RandMatchesPublishedPyTorchOutputs()
    {
        // Full-precision torch.rand(8) for seed 0 (float32 and float64) as recorded by a public PyTorch-parity test suite
        // ("measured with torch on CPU"); float32 24-bit values are exact, so compare bits.
        float[] expected32 = [0.49625658988952637f, 0.7682217955589294f, 0.08847743272781372f, 0.13203048706054688f,
            0.30742281675338745f, 0.6340786814689636f, 0.4900934100151062f, 0.8964447379112244f];
        Assert.Equal(expected32, new TorchGenerator(0).Rand(8));
        double[] expected64 = [0.9700530018065531, 0.707819864399788, 0.45938294312745087, 0.9207476841219603,
            0.6450241201227648, 0.7911478921803037, 0.17860617520075095, 0.3511076243939284];
        var actual64 = new double[8];
        new TorchGenerator(0).Rand(actual64);
        Assert.Equal(expected64, actual64);

        // A PyTorch 2.0 notebook (being-aerys/Deep_Learning_Marathon_with_PyTorch): torch.manual_seed(42); torch.rand(1, 5).
        AssertClose([0.8823f, 0.9150f, 0.3829f, 0.9593f, 0.3904f], new TorchGenerator(42).Rand(1, 5), 5e-5f);
    }

    [Fact]
    public void RandIntAndRandpermMatchPublishedPyTorchOutputs()
    {
        // Same public parity suites: torch.randint(17, (1,)) ten times from seed 0, and torch.randperm(10) for several
        // seeds (2^32 + 1 behaves as 1: only the low 32 bits seed the engine).
        Assert.Equal(new long[] { 7, 3, 12, 16, 2, 0, 16, 10, 6, 5 }, new TorchGenerator(0).RandInt(0, 17, 10));
        Assert.Equal(new long[] { 4, 1, 7, 5, 3, 9, 0, 8, 6, 2 }, new TorchGenerator(0).Randperm(10));
        Assert.Equal(new long[] { 5, 6, 1, 2, 0, 8, 9, 3, 7, 4 }, new TorchGenerator(1).Randperm(10));
        Assert.Equal(new long[] { 2, 6, 1, 8, 4, 5, 0, 9, 3, 7 }, new TorchGenerator(42).Randperm(10));
        Assert.Equal(new long[] { 5, 6, 1, 2, 0, 8, 9, 3, 7, 4 }, new TorchGenerator((1ul << 32) + 1).Randperm(10));
        Assert.Equal(new long[] { 1, 4, 6, 2, 0, 5, 8, 7, 9, 3 }, new TorchGenerator((1ul << 53) - 1).Randperm(10));
    }

    // ---- structure of the draws, every size -----------------------------------------------------------------------

    public static TheoryData<int> Sizes()
    {
        var sizes = new TheoryData<int>();
        for (int n = 0; n <= 40; n++)
            sizes.Add(n);
        foreach (int n in new[] { 47, 48, 63, 65, 100, 255, 257, 988, 1001 })
            sizes.Add(n);
        return sizes;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    [Trait("Category", "Kernel")]
    public void RandnFollowsPyTorchsAlgorithmForEverySize(int n)
    {
        const ulong seed = 2024;
        float[] actual = new TorchGenerator(seed).Randn(n);
        var raw = new MersenneTwister19937(seed);
        float[] expected = new float[n];
        if (n < 16)
        {
            // Double-precision Box–Muller per element: pairs (r cos θ, r sin θ) from two 53-bit uniforms.
            for (int i = 0; i < n; i += 2)
            {
                double u1 = (raw.NextUInt64() & ((1ul << 53) - 1)) / 9007199254740992.0;
                double u2 = (raw.NextUInt64() & ((1ul << 53) - 1)) / 9007199254740992.0;
                double r = Math.Sqrt(-2.0 * Math.Log(1.0 - u2));
                expected[i] = (float)(r * Math.Cos(2.0 * Math.PI * u1));
                if (i + 1 < n)
                    expected[i + 1] = (float)(r * Math.Sin(2.0 * Math.PI * u1));
            }
        }
        else
        {
            // Uniforms for all elements, Box–Muller on each full block of 16, then 16 fresh uniforms for the last 16.
            for (int i = 0; i < n; i++)
                expected[i] = (raw.NextUInt32() & 0xFFFFFF) / 16777216f;
            for (int i = 0; i + 16 <= n; i += 16)
                TorchNormalFill.TransformBlockAvx2(expected.AsSpan(i, 16), 0f, 1f);
            if (n % 16 != 0)
            {
                for (int i = n - 16; i < n; i++)
                    expected[i] = (raw.NextUInt32() & 0xFFFFFF) / 16777216f;
                TorchNormalFill.TransformBlockAvx2(expected.AsSpan(n - 16), 0f, 1f);
            }
        }
        Assert.Equal(expected, actual);
        int draws = n < 16 ? 4 * ((n + 1) / 2) : n + (n % 16 == 0 ? 0 : 16);
        Assert.Equal(DrawsAfter(seed, draws), new TorchGenerator(seed).Also(g => g.Randn(n)).NextUInt32());
    }

    [Fact]
    public void SmallDrawsShareOneCachedValueAcrossCalls()
    {
        // A small-path stream split into any pieces gives the same numbers: an odd-sized draw leaves r·sin θ cached
        // for the next small draw; block-path draws neither use nor clear it; ManualSeed clears it.
        float[] whole = new TorchGenerator(9).Randn(15);
        var g = new TorchGenerator(9);
        float[] pieces = [.. g.Randn(1), .. g.Randn(3), .. g.Randn(5), .. g.Randn(6)];
        Assert.Equal(whole, pieces);

        var interleaved = new TorchGenerator(9);
        float first = interleaved.Randn(1)[0];
        interleaved.Randn(16);
        float second = interleaved.Randn(1)[0];
        Assert.Equal(whole[0], first);
        Assert.Equal(whole[1], second);

        var reseeded = new TorchGenerator(9);
        reseeded.Randn(1);
        reseeded.ManualSeed(9);
        Assert.Equal(whole[0], reseeded.Randn(1)[0]);
    }

    [Fact]
    public void NormalAppliesMeanAndStdLikeNormal_()
    {
        // Block path: fma(z, std, mean) in float; small path: fma(z, std, mean) in double, then rounded.
        float[] z = new TorchGenerator(5).Randn(40);
        var values = new float[40];
        new TorchGenerator(5).Normal(values, 3.0, 0.5);
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(MathF.FusedMultiplyAdd(z[i], 0.5f, 3f), values[i]);

        var g = new TorchGenerator(5);
        var small = new float[3];
        g.Normal(small, -1.0, 2.0);
        var reference = new TorchGenerator(5);
        for (int i = 0; i < 3; i++)
        {
            double unit = reference.Randn(1)[0];
            Assert.Equal((float)(-1.0 + 2.0 * unit), small[i], 1e-6f);
        }
    }

    [Fact]
    public void RandIntUsesOne32BitDrawBelow2To32AndA64BitDrawAbove()
    {
        var raw = new MersenneTwister19937(8);
        long[] narrow = new TorchGenerator(8).RandInt(-5, 1000, 50);
        foreach (long v in narrow)
            Assert.Equal((long)(raw.NextUInt32() % 1005) - 5, v);

        raw = new MersenneTwister19937(8);
        long high = 1L << 40;
        long[] wide = new TorchGenerator(8).RandInt(0, high, 50);
        foreach (long v in wide)
            Assert.Equal((long)(raw.NextUInt64() % (ulong)high), v);

        long[] full = new TorchGenerator(8).RandInt(long.MinValue / 2, long.MaxValue / 2, 1000);
        Assert.All(full, v => Assert.InRange(v, long.MinValue / 2, long.MaxValue / 2 - 1));
    }

    [Fact]
    public void RandpermIsAPermutationDrawingNMinusOneValues()
    {
        for (int n = 0; n < 50; n++)
        {
            long[] p = new TorchGenerator(77).Randperm(n);
            Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), p.Order());
            int draws = Math.Max(0, n - 1);
            Assert.Equal(DrawsAfter(77, draws), new TorchGenerator(77).Also(g => g.Randperm(n)).NextUInt32());
        }
    }

    // ---- seeds, state, determinism --------------------------------------------------------------------------------

    [Fact]
    public void DefaultAndNegativeSeedsFollowPyTorch()
    {
        Assert.Equal(67280421310721ul, new TorchGenerator().InitialSeed);
        Assert.Equal(ulong.MaxValue, new TorchGenerator().ManualSeed(-1L).InitialSeed);
        Assert.Equal(new TorchGenerator(ulong.MaxValue).Randn(20), new TorchGenerator(0).ManualSeed(-1L).Randn(20));
    }

    [Fact]
    public void SameSeedSameNumbers()
    {
        var a = new TorchGenerator(123);
        var b = new TorchGenerator(123);
        for (int round = 0; round < 5; round++)
        {
            Assert.Equal(a.Randn(1, 4, 9, 7), b.Randn(1, 4, 9, 7));
            Assert.Equal(a.Randn(3), b.Randn(3));
            Assert.Equal(a.Rand(17), b.Rand(17));
        }
        Assert.NotEqual(new TorchGenerator(123).Randn(64), new TorchGenerator(124).Randn(64));
    }

    [Fact]
    public void StateSaveRestoreReplaysTheSameNoise()
    {
        var g = new TorchGenerator(606);
        g.Randn(1, 4, 32, 32);
        g.Randn(3); // leaves a cached double normal value
        byte[] state = g.GetState();
        Assert.Equal(5056, state.Length);
        float[] first = [.. g.Randn(1), .. g.Randn(1, 4, 8, 8), .. g.Rand(5)];

        g.SetState(state);
        float[] replay = [.. g.Randn(1), .. g.Randn(1, 4, 8, 8), .. g.Rand(5)];
        Assert.Equal(first, replay);

        var other = new TorchGenerator(1);
        other.SetState(state);
        Assert.Equal(606ul, other.InitialSeed);
        float[] fromOther = [.. other.Randn(1), .. other.Randn(1, 4, 8, 8), .. other.Rand(5)];
        Assert.Equal(first, fromOther);
        Assert.Equal(state, new TorchGenerator(2).Also(x => x.SetState(state)).GetState());

        var clone = new TorchGenerator(606).Also(x => x.SetState(state)).Clone();
        float[] fromClone = [.. clone.Randn(1), .. clone.Randn(1, 4, 8, 8), .. clone.Rand(5)];
        Assert.Equal(first, fromClone);
    }

    [Fact]
    public void StateBytesUsePyTorchsLayout()
    {
        var g = new TorchGenerator(0x0123456789abcdef);
        g.Randn(1); // 4 draws, caches r·sin θ
        byte[] s = g.GetState();
        Assert.Equal(0x0123456789abcdeful, BitConverter.ToUInt64(s, 0));        // the_initial_seed
        Assert.Equal(MersenneTwister19937.StateSize - 3, BitConverter.ToInt32(s, 8)); // left
        Assert.Equal(1, BitConverter.ToInt32(s, 12));                             // seeded
        Assert.Equal(4ul, BitConverter.ToUInt64(s, 16));                          // next
        Assert.Equal(1, BitConverter.ToInt32(s, 5040));                           // normal_is_valid
        float cachedAsFloat = (float)BitConverter.ToDouble(s, 5024);              // normal_y = the cached sample
        var fresh = new TorchGenerator(0x0123456789abcdef);
        Assert.Equal(fresh.Randn(2)[1], cachedAsFloat);
        Assert.Equal(0, s[5052]);                                                 // no float normal cached
    }

    [Fact]
    public void SetStateRefusesBadStatesAndKeepsTheGenerator()
    {
        var g = new TorchGenerator(31);
        byte[] good = g.GetState();
        float expected = new TorchGenerator(31).Randn(1)[0];

        Assert.Contains("5056 bytes", Assert.Throws<ArgumentException>(() => g.SetState(good.AsSpan(0, 5048))).Message);
        byte[] unseeded = (byte[])good.Clone();
        unseeded[12] = 0;
        Assert.Contains("'seeded'", Assert.Throws<ArgumentException>(() => g.SetState(unseeded)).Message);
        byte[] badLeft = (byte[])good.Clone();
        BitConverter.TryWriteBytes(badLeft.AsSpan(8), 0);
        Assert.Contains("left", Assert.Throws<ArgumentException>(() => g.SetState(badLeft)).Message);
        byte[] wideWord = (byte[])good.Clone();
        wideWord[24 + 8 * 5 + 4] = 1;
        Assert.Contains("state[5]", Assert.Throws<ArgumentException>(() => g.SetState(wideWord)).Message);

        Assert.Equal(expected, g.Randn(1)[0]);
    }

    [Fact]
    public void BadArgumentsFailWithTheOperationNamed()
    {
        var g = new TorchGenerator(1);
        Assert.Contains("Randn: dimension 1", Assert.Throws<ArgumentOutOfRangeException>(() => g.Randn(2, -1)).Message);
        Assert.Contains("more than", Assert.Throws<ArgumentOutOfRangeException>(() => g.Randn(1 << 16, 1 << 16)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => g.Normal(new float[4], 0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.Normal(new float[4], double.NaN, 1));
        Assert.Contains("low < high", Assert.Throws<ArgumentOutOfRangeException>(() => g.RandInt(5, 5, 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => g.Randperm(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.Randperm(int.MaxValue));
    }

    [Fact]
    [Trait("Category", "Kernel")]
    public void ScalarPathDrawsTheSameUniformsAndAgreesWithinAnUlpOrTwo()
    {
        // TorchNormalPath.Scalar (PyTorch without AVX2) differs from the AVX2 path only in how log/sin/cos are evaluated.
        float[] avx2 = new TorchGenerator(17).Randn(1000);
        var scalarGenerator = new TorchGenerator(17, TorchNormalPath.Scalar);
        float[] scalar = scalarGenerator.Randn(1000);
        for (int i = 0; i < avx2.Length; i++)
            Assert.True(MathF.Abs(avx2[i] - scalar[i]) <= 4e-6f * MathF.Max(1f, MathF.Abs(avx2[i])), $"element {i}: {avx2[i]} vs {scalar[i]}");
        Assert.Equal(DrawsAfter(17, 1000 + 16), scalarGenerator.NextUInt32());
    }

    private static uint DrawsAfter(ulong seed, int draws)
    {
        var engine = new MersenneTwister19937(seed);
        for (int i = 0; i < draws; i++)
            engine.NextUInt32();
        return engine.NextUInt32();
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}

internal static class GeneratorTestExtensions
{
    /// <summary>Runs <paramref name="action"/> on the generator and returns it (to chain a draw and an inspection).</summary>
    public static TorchGenerator Also(this TorchGenerator generator, Action<TorchGenerator> action)
    {
        action(generator);
        return generator;
    }
}
