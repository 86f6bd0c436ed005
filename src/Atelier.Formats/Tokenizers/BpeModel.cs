using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;

namespace Atelier.Formats.Tokenizers;

/// <summary>
/// Byte-level BPE as CLIP runs it: a word (one pre-token) becomes its UTF-8 bytes in the
/// <see cref="ByteLevelAlphabet"/>, the last one carrying <c>&lt;/w&gt;</c>; then, while some adjacent pair is a
/// merge, the pair with the lowest rank is merged at every place it occurs, left to right without overlap;
/// the remaining symbols are the tokens. Symbols are handled as vocabulary ids, which works because loading
/// insists that every symbol a merge uses or makes is in the vocabulary. Results are cached per word.
/// </summary>
internal sealed class BpeModel
{
    private const int CacheCapacity = 65_536;

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<long, (int Rank, int Merged)> _merges;
    private readonly int[] _byteIds = new int[256];
    private readonly int[] _byteEndIds = new int[256];
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;

    public BpeModel(string[] tokens, IReadOnlyList<BpeMerge> merges, string vocabName = BpeFiles.VocabFileName, string mergesName = BpeFiles.MergesFileName)
    {
        _tokens = tokens;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int id = 0; id < tokens.Length; id++)
            _ids.Add(tokens[id], id);

        foreach (byte b in ByteLevelAlphabet.Order)
        {
            string symbol = ByteLevelAlphabet.ToChar(b).ToString();
            _byteIds[b] = RequireBase(symbol, b, vocabName);
            _byteEndIds[b] = RequireBase(symbol + ByteLevelAlphabet.EndOfWord, b, vocabName);
        }

        _merges = new Dictionary<long, (int, int)>(merges.Count, SymbolPair.Comparer);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            BpeMerge merge = merges[rank];
            int left = RequireSymbol(merge.Left, merge, mergesName, vocabName);
            int right = RequireSymbol(merge.Right, merge, mergesName, vocabName);
            int merged = RequireSymbol(merge.Left + merge.Right, merge, mergesName, vocabName);
            if (!_merges.TryAdd(SymbolPair.Pack(left, right), (rank, merged)))
                throw new TokenizerFormatException(mergesName, merge.Line,
                    $"the merge \"{merge.Left} {merge.Right}\" already appeared on line {merges[_merges[SymbolPair.Pack(left, right)].Rank].Line}; each pair may be merged once");
        }
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _tokens.Length;

    public int MergeCount => _merges.Count;

    public string TokenOf(int id) => (uint)id < (uint)_tokens.Length
        ? _tokens[id]
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"token id {id} is outside the vocabulary (0..{_tokens.Length - 1}).");

    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    /// <summary>The token ids of one pre-token (a "word"), cached.</summary>
    public int[] EncodeWord(ReadOnlySpan<char> word)
    {
        if (_cacheBySpan.TryGetValue(word, out int[]? cached))
            return cached;
        int[] ids = Merge(word);
        if (_cache.Count >= CacheCapacity)
            _cache.Clear();
        _cacheBySpan.TryAdd(word, ids);
        return ids;
    }

    // One call can loop for long on a long word; optimise it from the first call rather than run tier-0 code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int[] Merge(ReadOnlySpan<char> word)
    {
        int byteCount = Encoding.UTF8.GetByteCount(word);
        Span<byte> bytes = byteCount <= 256 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(word, bytes);
        var symbols = new int[byteCount];
        for (int i = 0; i < byteCount; i++)
            symbols[i] = i == byteCount - 1 ? _byteEndIds[bytes[i]] : _byteIds[bytes[i]];

        int count = byteCount;
        while (count > 1)
        {
            int bestRank = int.MaxValue, bestLeft = 0, bestRight = 0, bestMerged = 0;
            for (int i = 0; i + 1 < count; i++)
            {
                if (_merges.TryGetValue(SymbolPair.Pack(symbols[i], symbols[i + 1]), out var merge) && merge.Rank < bestRank)
                    (bestRank, bestLeft, bestRight, bestMerged) = (merge.Rank, symbols[i], symbols[i + 1], merge.Merged);
            }
            if (bestRank == int.MaxValue)
                break;
            int write = 0;
            for (int read = 0; read < count; read++)
            {
                if (read + 1 < count && symbols[read] == bestLeft && symbols[read + 1] == bestRight)
                {
                    symbols[write++] = bestMerged;
                    read++;
                }
                else
                {
                    symbols[write++] = symbols[read];
                }
            }
            count = write;
        }
        return symbols.AsSpan(0, count).ToArray();
    }

    private int RequireBase(string symbol, byte b, string vocabName)
        => _ids.TryGetValue(symbol, out int id) ? id : throw new TokenizerFormatException(vocabName, null,
            $"the byte-level symbol {BpeFiles.Quote(symbol)} (byte 0x{b:X2}{(symbol.EndsWith(ByteLevelAlphabet.EndOfWord, StringComparison.Ordinal) ? " ending a word" : "")}) is missing; a CLIP vocabulary holds all 512 byte symbols so that any text can be encoded");

    private int RequireSymbol(string symbol, BpeMerge merge, string mergesName, string vocabName)
        => _ids.TryGetValue(symbol, out int id) ? id : throw new TokenizerFormatException(mergesName, merge.Line,
            $"the merge \"{merge.Left} {merge.Right}\" uses or makes the symbol {BpeFiles.Quote(symbol)}, which is not in {vocabName}; the two files do not belong together");
}
