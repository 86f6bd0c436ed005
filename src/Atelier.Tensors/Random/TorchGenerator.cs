namespace Atelier.Tensors;

// These types live in namespace Atelier.Tensors although the folder is Random/: a namespace named
// Atelier.Tensors.Random would hide System.Random from all code under Atelier.Tensors.

/// <summary>
/// A seeded random generator identical to PyTorch's CPU <c>torch.Generator</c>: the same seed gives the same numbers as
/// <c>torch.Generator().manual_seed(seed)</c> (or <c>torch.manual_seed(seed)</c>) followed by the same calls to
/// <c>torch.randn</c>, <c>torch.rand</c>, <c>torch.randint</c>, <c>torch.randperm</c> with <c>generator=g</c> on CPU in
/// float32 — so an Atelier seed yields the same starting noise as diffusers on CPU. Identical on every machine: the
/// integer stream, uniforms and the ≥ 16-element normal path (<see cref="TorchNormalPath.Avx2"/>, the default) use only
/// exactly-rounded float operations.
/// <para>
/// Two places may differ from PyTorch by one ulp, rarely: (1) normal tensors of fewer than 16 elements are computed in
/// double with the platform's <c>log</c>/<c>sin</c>/<c>cos</c> (as PyTorch does with its libm) and then rounded to
/// float, so a last-bit difference between C libraries survives only when a value sits on a float rounding boundary
/// (about one value in 10^8); (2) <see cref="TorchNormalPath.Scalar"/> (PyTorch without AVX2) uses the platform's float
/// functions. PyTorch 1.13 and 2.x draw identically for all of these calls (2.x computes log1p(-u) where 1.13 computes
/// log(1 - u), the same real number since 1 - u is exact).
/// </para>
/// <para>Not thread-safe: like a torch.Generator, one instance is one sequential stream.</para>
/// </summary>
public sealed class TorchGenerator
{
    /// <summary>The seed of a fresh <c>torch.Generator()</c> (<c>c10::default_rng_seed_val</c>).</summary>
    public const ulong DefaultSeed = 67280421310721;

    // randperm switches to a 64-bit algorithm at this size in PyTorch 2.x (TensorFactories.cpp); below it all versions agree.
    private const long RandpermSmallLimit = uint.MaxValue / 20;

    private MersenneTwister19937 _engine;
    // Box–Muller makes two values; the double-precision path returns one and keeps r·sin θ for the next call
    // (CPUGeneratorImpl::next_double_normal_sample_), across calls, until the next seed.
    private double? _nextDoubleNormal;
    // Kept only so that GetState/SetState round-trip PyTorch's state bytes; no operation here draws from it.
    private float? _nextFloatNormal;

    public TorchGenerator(ulong seed = DefaultSeed, TorchNormalPath normalPath = TorchNormalPath.Avx2)
    {
        _engine = new MersenneTwister19937(seed);
        NormalPath = normalPath;
    }

    /// <summary>Which PyTorch kernel the ≥ 16-element normal draws reproduce (see <see cref="TorchNormalPath"/>).</summary>
    public TorchNormalPath NormalPath { get; }

    /// <summary>The seed given last (<c>Generator.initial_seed()</c>).</summary>
    public ulong InitialSeed => _engine.Seed;

    /// <summary><c>manual_seed(seed)</c>: restarts the stream and forgets the cached normal value. Returns this generator.</summary>
    public TorchGenerator ManualSeed(ulong seed)
    {
        _engine.Reseed(seed);
        _nextDoubleNormal = null;
        _nextFloatNormal = null;
        return this;
    }

    /// <summary>
    /// <c>manual_seed</c> with a negative Python int: PyTorch reinterprets it as the two's-complement uint64
    /// (torch/csrc/Generator.cpp), so -1 is 2^64 - 1.
    /// </summary>
    public TorchGenerator ManualSeed(long seed) => ManualSeed(unchecked((ulong)seed));

    /// <summary>One raw 32-bit draw (<c>CPUGeneratorImpl::random()</c>).</summary>
    public uint NextUInt32() => _engine.NextUInt32();

    /// <summary>One raw 64-bit draw from two 32-bit draws, the first in the high half (<c>random64()</c>).</summary>
    public ulong NextUInt64() => _engine.NextUInt64();

    /// <summary><c>torch.randn(shape, generator=g)</c> in float32: a new row-major array.</summary>
    public float[] Randn(params int[] shape)
    {
        var result = new float[ElementCount(shape, nameof(Randn))];
        Normal(result, 0.0, 1.0);
        return result;
    }

    /// <summary>Fills <paramref name="destination"/> as <c>torch.randn</c> fills a contiguous float32 tensor of that many elements.</summary>
    public void Randn(Span<float> destination) => Normal(destination, 0.0, 1.0);

    /// <summary>
    /// <c>tensor.normal_(mean, std, generator=g)</c> on a contiguous float32 tensor with <paramref name="destination"/>'s
    /// element count. The path depends on that count exactly as in PyTorch: ≥ 16 uses the block kernel (mean and std
    /// rounded to float, <c>fma(n, std, mean)</c>); fewer than 16 uses the double-precision scalar sampler.
    /// </summary>
    public void Normal(Span<float> destination, double mean, double std)
    {
        if (!(std >= 0) || double.IsInfinity(std))
            throw new ArgumentOutOfRangeException(nameof(std), std, "normal: std must be finite and >= 0 (torch.normal_ requires std >= 0).");
        if (!double.IsFinite(mean))
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "normal: mean must be finite.");
        if (destination.Length >= 16)
        {
            TorchNormalFill.Fill(_engine, destination, (float)mean, (float)std, NormalPath);
            return;
        }
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (float)NextDoubleNormal(mean, std);
    }

    /// <summary><c>torch.rand(shape, generator=g)</c> in float32: uniform on [0, 1) with 24 random bits.</summary>
    public float[] Rand(params int[] shape)
    {
        var result = new float[ElementCount(shape, nameof(Rand))];
        Rand(result);
        return result;
    }

    /// <summary>Fills <paramref name="destination"/> as <c>torch.rand</c> fills a float32 tensor (one 32-bit draw per element).</summary>
    public void Rand(Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = TorchUniform.NextFloat(_engine);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> as <c>torch.rand(..., dtype=torch.float64)</c> does: uniform on [0, 1) from the low
    /// 53 bits of one 64-bit draw (two 32-bit draws) per element.
    /// </summary>
    public void Rand(Span<double> destination)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = TorchUniform.NextDouble(_engine);
    }

    /// <summary><c>torch.randint(low, high, shape, generator=g)</c> (int64): uniform integers in [low, high).</summary>
    public long[] RandInt(long low, long high, params int[] shape)
    {
        var result = new long[ElementCount(shape, nameof(RandInt))];
        RandInt(result, low, high);
        return result;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> as <c>torch.randint(low, high)</c> fills an int64 tensor: <c>draw % (high - low) + low</c>
    /// with a 32-bit draw, or a 64-bit draw when the range is 2^32 or more (same modulo bias as PyTorch).
    /// </summary>
    public void RandInt(Span<long> destination, long low, long high)
    {
        if (low >= high)
            throw new ArgumentOutOfRangeException(nameof(high), high, $"randint: expected low < high, got low {low}, high {high}.");
        ulong range = unchecked((ulong)(high - low));
        bool wide = range >= 1ul << 32;
        for (int i = 0; i < destination.Length; i++)
        {
            ulong draw = wide ? _engine.NextUInt64() : _engine.NextUInt32();
            destination[i] = unchecked((long)(draw % range + (ulong)low));
        }
    }

    /// <summary>
    /// <c>torch.randperm(n, generator=g)</c> (int64): a Fisher–Yates shuffle of 0..n-1 drawing <c>random() % (n - i)</c>
    /// for i = 0..n-2. PyTorch 2.x switches to a different algorithm from n = 2^32/20, so larger n is refused.
    /// </summary>
    public long[] Randperm(int n)
    {
        if (n < 0)
            throw new ArgumentOutOfRangeException(nameof(n), n, "randperm: n must be >= 0.");
        if (n >= RandpermSmallLimit)
            throw new ArgumentOutOfRangeException(nameof(n), n, $"randperm: n >= {RandpermSmallLimit} uses a version-dependent algorithm in PyTorch; not supported.");
        var result = new long[n];
        for (int i = 0; i < n; i++)
            result[i] = i;
        for (int i = 0; i < n - 1; i++)
        {
            int z = (int)(_engine.NextUInt32() % (uint)(n - i));
            (result[i], result[i + z]) = (result[i + z], result[i]);
        }
        return result;
    }

    /// <summary>
    /// The whole generator state in the byte layout of PyTorch's <c>torch.Generator.get_state()</c> (5056 bytes, a
    /// uint8 tensor there): seed, Mersenne Twister position and words, cached normal values. Record it before drawing
    /// noise and <see cref="SetState"/> replays the same noise; it can also be exchanged with PyTorch.
    /// </summary>
    public byte[] GetState() => TorchGeneratorStateLayout.Write(_engine, _nextDoubleNormal, _nextFloatNormal);

    /// <summary>Restores a state from <see cref="GetState"/> or from <c>torch.Generator.get_state()</c>; invalid states are refused and leave this generator unchanged.</summary>
    public void SetState(ReadOnlySpan<byte> state)
    {
        var engine = new MersenneTwister19937();
        TorchGeneratorStateLayout.Read(state, engine, out double? doubleNormal, out float? floatNormal);
        _engine = engine;
        _nextDoubleNormal = doubleNormal;
        _nextFloatNormal = floatNormal;
    }

    /// <summary>An independent generator continuing from the same state (<c>Generator.clone_state()</c>).</summary>
    public TorchGenerator Clone()
    {
        var copy = new TorchGenerator(DefaultSeed, NormalPath);
        copy._engine = _engine.Clone();
        copy._nextDoubleNormal = _nextDoubleNormal;
        copy._nextFloatNormal = _nextFloatNormal;
        return copy;
    }

    // at::normal_distribution<double> (aten/src/ATen/core/DistributionsHelper.h): Box–Muller on two 53-bit uniforms,
    // returns r·cos θ and caches r·sin θ. transformation::normal is val * std + mean, contracted to an FMA by PyTorch's
    // AVX2 build.
    private double NextDoubleNormal(double mean, double std)
    {
        double value;
        if (_nextDoubleNormal is double cached)
        {
            _nextDoubleNormal = null;
            value = cached;
        }
        else
        {
            double u1 = TorchUniform.NextDouble(_engine);
            double u2 = TorchUniform.NextDouble(_engine);
            double r = Math.Sqrt(-2.0 * Math.Log(1.0 - u2));
            double theta = 2.0 * Math.PI * u1;
            _nextDoubleNormal = r * Math.Sin(theta);
            value = r * Math.Cos(theta);
        }
        return Math.FusedMultiplyAdd(value, std, mean);
    }

    private static int ElementCount(int[] shape, string operation)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(shape), $"{operation}: dimension {i} of shape [{string.Join(", ", shape)}] is negative.");
            count *= shape[i];
            if (count > Array.MaxLength)
                throw new ArgumentOutOfRangeException(nameof(shape), $"{operation}: shape [{string.Join(", ", shape)}] has more than {Array.MaxLength} elements.");
        }
        return (int)count;
    }
}
