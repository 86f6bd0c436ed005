using System.Buffers.Binary;

namespace Atelier.Tensors;

/// <summary>
/// The byte layout of <c>torch.Generator.get_state()</c> / <c>torch.get_rng_state()</c> for the CPU generator: the C
/// struct <c>CPUGeneratorImplState</c> of <c>aten/src/ATen/CPUGeneratorImpl.cpp</c> as laid out by x86-64 / ARM64
/// compilers (little-endian, LP64), 5056 bytes:
/// <code>
///    0  uint64  the_initial_seed
///    8  int32   left                 (1..624)
///   12  int32   seeded               (1)
///   16  uint64  next                 (0..624)
///   24  uint64  state[624]           (each a 32-bit word widened)
/// 5016  double  normal_x, normal_y, normal_rho   (normal_y = cached double normal sample; x, rho = 0)
/// 5040  int32   normal_is_valid      (+ 4 bytes padding: the legacy struct ends at 5048)
/// 5048  float   next_float_normal_sample
/// 5052  bool    is_next_float_normal_sample_valid   (+ 3 bytes padding)
/// </code>
/// Padding is written as zeros (PyTorch value-initialises the struct).
/// </summary>
internal static class TorchGeneratorStateLayout
{
    public const int Size = 5056;

    private const int InitialSeedOffset = 0;
    private const int LeftOffset = 8;
    private const int SeededOffset = 12;
    private const int NextOffset = 16;
    private const int StateOffset = 24;
    private const int NormalXOffset = 5016;
    private const int NormalYOffset = 5024;
    private const int NormalRhoOffset = 5032;
    private const int NormalIsValidOffset = 5040;
    private const int FloatNormalOffset = 5048;
    private const int FloatNormalIsValidOffset = 5052;

    public static byte[] Write(MersenneTwister19937 engine, double? doubleNormal, float? floatNormal)
    {
        var bytes = new byte[Size];
        Span<byte> s = bytes;
        BinaryPrimitives.WriteUInt64LittleEndian(s[InitialSeedOffset..], engine.Seed);
        BinaryPrimitives.WriteInt32LittleEndian(s[LeftOffset..], engine.Left);
        BinaryPrimitives.WriteInt32LittleEndian(s[SeededOffset..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(s[NextOffset..], (ulong)engine.Next);
        ReadOnlySpan<uint> words = engine.State;
        for (int i = 0; i < words.Length; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(s[(StateOffset + 8 * i)..], words[i]);
        BinaryPrimitives.WriteDoubleLittleEndian(s[NormalXOffset..], 0.0);
        BinaryPrimitives.WriteDoubleLittleEndian(s[NormalYOffset..], doubleNormal ?? 0.0);
        BinaryPrimitives.WriteDoubleLittleEndian(s[NormalRhoOffset..], 0.0);
        BinaryPrimitives.WriteInt32LittleEndian(s[NormalIsValidOffset..], doubleNormal.HasValue ? 1 : 0);
        BinaryPrimitives.WriteSingleLittleEndian(s[FloatNormalOffset..], floatNormal ?? 0f);
        s[FloatNormalIsValidOffset] = floatNormal.HasValue ? (byte)1 : (byte)0;
        return bytes;
    }

    /// <summary>Parses and validates a state; throws naming the offending field.</summary>
    public static void Read(ReadOnlySpan<byte> s, MersenneTwister19937 engine, out double? doubleNormal, out float? floatNormal)
    {
        if (s.Length != Size)
            throw new ArgumentException($"generator state: expected {Size} bytes (torch CPUGeneratorImplState), got {s.Length}. " +
                "Only the current layout of torch.Generator.get_state() is accepted, not the 5048-byte legacy one.");
        ulong seed = BinaryPrimitives.ReadUInt64LittleEndian(s[InitialSeedOffset..]);
        int left = BinaryPrimitives.ReadInt32LittleEndian(s[LeftOffset..]);
        int seeded = BinaryPrimitives.ReadInt32LittleEndian(s[SeededOffset..]);
        ulong next = BinaryPrimitives.ReadUInt64LittleEndian(s[NextOffset..]);
        if (seeded == 0)
            throw new ArgumentException("generator state: field 'seeded' (offset 12) is 0; PyTorch rejects an unseeded mt19937 state.");
        if (next > MersenneTwister19937.StateSize)
            throw new ArgumentException($"generator state: field 'next' (offset 16) is {next}; expected 0..{MersenneTwister19937.StateSize}.");

        var words = new uint[MersenneTwister19937.StateSize];
        for (int i = 0; i < words.Length; i++)
        {
            ulong word = BinaryPrimitives.ReadUInt64LittleEndian(s[(StateOffset + 8 * i)..]);
            if (word > uint.MaxValue)
                throw new ArgumentException($"generator state: state[{i}] (offset {StateOffset + 8 * i}) is 0x{word:x}, wider than 32 bits.");
            words[i] = (uint)word;
        }
        try
        {
            engine.Restore(seed, left, (int)next, words);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"generator state: {e.Message}", e);
        }

        bool doubleValid = BinaryPrimitives.ReadInt32LittleEndian(s[NormalIsValidOffset..]) != 0;
        doubleNormal = doubleValid ? BinaryPrimitives.ReadDoubleLittleEndian(s[NormalYOffset..]) : null;
        bool floatValid = s[FloatNormalIsValidOffset] != 0;
        floatNormal = floatValid ? BinaryPrimitives.ReadSingleLittleEndian(s[FloatNormalOffset..]) : null;
    }
}
