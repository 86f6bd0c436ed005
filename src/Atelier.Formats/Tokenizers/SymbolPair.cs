namespace Atelier.Formats.Tokenizers;

/// <summary>
/// Two adjacent BPE symbol ids packed into one long (left in the high half), and a hash for it: the default
/// <c>long.GetHashCode</c> is (high ^ low), under which every pair with the same XOR of ids (many, since ids are
/// small) shares a bucket; a Fibonacci (multiplicative) hash spreads them.
/// </summary>
internal static class SymbolPair
{
    public static long Pack(int left, int right) => ((long)left << 32) | (uint)right;

    public static int Left(long pair) => (int)(pair >> 32);

    public static int Right(long pair) => (int)(uint)pair;

    public static IEqualityComparer<long> Comparer { get; } = new FibonacciComparer();

    private sealed class FibonacciComparer : IEqualityComparer<long>
    {
        public bool Equals(long x, long y) => x == y;

        public int GetHashCode(long pair) => (int)(((ulong)pair * 0x9E3779B97F4A7C15UL) >> 32);
    }
}
