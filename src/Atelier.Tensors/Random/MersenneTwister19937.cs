namespace Atelier.Tensors;

/// <summary>
/// The 32-bit Mersenne Twister MT19937 (Matsumoto &amp; Nishimura 1998) exactly as PyTorch's CPU generator runs it
/// (<c>aten/src/ATen/core/MT19937RNGEngine.h</c>, <c>at::mt19937</c>): seeded from the low 32 bits of a 64-bit seed with
/// the 2002 <c>init_genrand</c> recurrence, the state regenerated 624 words at a time, outputs tempered. The
/// fields (<see cref="Seed"/>, <see cref="Left"/>, <see cref="Next"/>, the 624 state words) are PyTorch's, so a state
/// saved by <c>torch.get_rng_state()</c> loads here and the other way round (see <see cref="TorchGenerator.GetState"/>).
/// Not thread-safe: one engine per stream.
/// </summary>
public sealed class MersenneTwister19937
{
    /// <summary>Words of state (N in the paper).</summary>
    public const int StateSize = 624;

    /// <summary>The middle offset (M in the paper).</summary>
    public const int Shift = 397;

    /// <summary>The seed <c>std::mt19937</c> and <c>at::mt19937</c> use when none is given.</summary>
    public const ulong DefaultSeed = 5489;

    // Twist matrix and masks from the reference mt19937ar.c.
    private const uint MatrixA = 0x9908b0df;
    private const uint UpperMask = 0x80000000;
    private const uint LowerMask = 0x7fffffff;

    private readonly uint[] _state = new uint[StateSize];
    private ulong _seed;
    private int _left;
    private int _next;

    public MersenneTwister19937(ulong seed = DefaultSeed) => Reseed(seed);

    /// <summary>The 64-bit seed last given (only its low 32 bits enter the state, as in PyTorch).</summary>
    public ulong Seed => _seed;

    /// <summary>PyTorch's <c>left_</c>: outputs remaining before the state is regenerated, plus one (1..624).</summary>
    public int Left => _left;

    /// <summary>PyTorch's <c>next_</c>: index of the next state word to temper (0..624).</summary>
    public int Next => _next;

    /// <summary>The 624 raw state words (untempered).</summary>
    public ReadOnlySpan<uint> State => _state;

    /// <summary>Re-initialises the state from <paramref name="seed"/> (<c>init_with_uint32</c>).</summary>
    public void Reseed(ulong seed)
    {
        _seed = seed;
        _state[0] = (uint)seed;
        for (int j = 1; j < StateSize; j++)
        {
            uint previous = _state[j - 1];
            _state[j] = unchecked(1812433253u * (previous ^ (previous >> 30)) + (uint)j);
        }
        _left = 1;
        _next = 0;
    }

    /// <summary>The next 32-bit output (PyTorch's <c>CPUGeneratorImpl::random()</c>).</summary>
    public uint NextUInt32()
    {
        if (--_left == 0)
            Regenerate();
        uint y = _state[_next++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >> 18;
        return y;
    }

    /// <summary>
    /// A 64-bit value from two consecutive outputs, the first one in the high half
    /// (PyTorch's <c>CPUGeneratorImpl::random64()</c>, <c>make64BitsFrom32Bits(hi, lo)</c>).
    /// </summary>
    public ulong NextUInt64()
    {
        uint hi = NextUInt32();
        uint lo = NextUInt32();
        return ((ulong)hi << 32) | lo;
    }

    /// <summary>
    /// Restores a state captured from this class or from PyTorch. Validates like <c>mt19937::is_valid</c>:
    /// <paramref name="left"/> in 1..624 and <paramref name="next"/> in 0..624.
    /// </summary>
    public void Restore(ulong seed, int left, int next, ReadOnlySpan<uint> state)
    {
        if (state.Length != StateSize)
            throw new ArgumentException($"mt19937 state: expected {StateSize} words, got {state.Length}.", nameof(state));
        if (left < 1 || left > StateSize)
            throw new ArgumentOutOfRangeException(nameof(left), left, $"mt19937 state: 'left' must be in 1..{StateSize}.");
        if (next < 0 || next > StateSize)
            throw new ArgumentOutOfRangeException(nameof(next), next, $"mt19937 state: 'next' must be in 0..{StateSize}.");
        // A state where next + left > N + 1 would read past the array before regenerating.
        if (next + left > StateSize + 1)
            throw new ArgumentException($"mt19937 state: next ({next}) + left ({left}) exceeds {StateSize + 1}; the state is inconsistent.");
        state.CopyTo(_state);
        _seed = seed;
        _left = left;
        _next = next;
    }

    /// <summary>A copy with the same state; both continue the same sequence independently.</summary>
    public MersenneTwister19937 Clone()
    {
        var copy = new MersenneTwister19937();
        copy.Restore(_seed, _left, _next, _state);
        return copy;
    }

    // Regenerates all 624 words (mt19937ar-cok.c's next_state; twist uses the low bit of the second word,
    // which equals the low bit of the mixed word).
    private void Regenerate()
    {
        uint[] s = _state;
        int k = 0;
        for (; k < StateSize - Shift; k++)
            s[k] = s[k + Shift] ^ Twist(s[k], s[k + 1]);
        for (; k < StateSize - 1; k++)
            s[k] = s[k + Shift - StateSize] ^ Twist(s[k], s[k + 1]);
        s[StateSize - 1] = s[Shift - 1] ^ Twist(s[StateSize - 1], s[0]);
        _left = StateSize;
        _next = 0;
    }

    private static uint Twist(uint u, uint v) =>
        (((u & UpperMask) | (v & LowerMask)) >> 1) ^ ((v & 1) != 0 ? MatrixA : 0u);
}
