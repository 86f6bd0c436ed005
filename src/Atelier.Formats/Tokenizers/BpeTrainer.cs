using System.Text;

namespace Atelier.Formats.Tokenizers;

/// <summary>
/// Learns byte-level BPE merges from a caption corpus, in CLIP's conventions so that <see cref="ClipTokenizer"/>
/// loads the result: captions are split at literal special tokens, cleaned (<see cref="ClipTextCleaner"/>) and
/// pre-tokenized (<see cref="ClipPreTokenizer"/>) exactly as at encoding time; each word starts as its UTF-8 bytes
/// in the <see cref="ByteLevelAlphabet"/> with <c>&lt;/w&gt;</c> on the last one (Sennrich et al. 2016, "Neural Machine
/// Translation of Rare Words with Subword Units", Algorithm 1, with GPT-2's byte alphabet).
/// <para>Each step merges the adjacent pair with the highest count over the corpus (word frequency × occurrences),
/// at every place it occurs, left to right without overlap, which is how <see cref="BpeModel"/> replays merges.
/// <b>Ties</b> go to the pair whose left symbol, then right symbol, comes first in ordinal (UTF-16 code unit)
/// order, so the result depends only on the multiset of captions, not on their order or on hashing.</para>
/// <para>Counts are kept incrementally: a pair → count table, a pair → words index and a max-heap with lazy
/// invalidation; a merge touches only the words that contain the pair.</para>
/// <para>When a merge yields a string that is already a token (a, bc and ab, c both give abc) it reuses that id, so
/// the vocabulary stays free of duplicates; merges.txt still lists both merges.</para>
/// </summary>
public sealed class BpeTrainer
{
    private const int ByteSymbols = 512;

    private readonly BpeTrainerOptions _options;

    public BpeTrainer(BpeTrainerOptions? options = null)
    {
        _options = options ?? new BpeTrainerOptions();
        if (_options.VocabularySize < ByteSymbols + 2)
            throw new ArgumentOutOfRangeException(nameof(options), _options.VocabularySize,
                $"VocabularySize must be at least {ByteSymbols + 2}: 512 byte symbols and the two special tokens.");
        if (_options.MinPairFrequency < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MinPairFrequency, "MinPairFrequency must be at least 1.");
    }

    public BpeTrainingResult Train(IEnumerable<string> captions)
    {
        ArgumentNullException.ThrowIfNull(captions);
        Dictionary<string, int> wordFrequency = CountWords(captions, out long wordCount);

        // Symbols 0..511: the byte alphabet in CLIP's vocabulary order.
        var symbols = new List<string>(_options.VocabularySize);
        var symbolIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var baseId = new int[256];
        var baseEndId = new int[256];
        foreach (byte b in ByteLevelAlphabet.Order)
            baseId[b] = AddSymbol(ByteLevelAlphabet.ToChar(b).ToString());
        foreach (byte b in ByteLevelAlphabet.Order)
            baseEndId[b] = AddSymbol(ByteLevelAlphabet.ToChar(b) + ByteLevelAlphabet.EndOfWord);

        // Words in ordinal order, so every later iteration order is fixed.
        string[] words = wordFrequency.Keys.Order(StringComparer.Ordinal).ToArray();
        var wordSymbols = new int[words.Length][];
        var wordLength = new int[words.Length];
        var frequency = new long[words.Length];
        for (int w = 0; w < words.Length; w++)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(words[w]);
            wordSymbols[w] = new int[bytes.Length];
            for (int i = 0; i < bytes.Length; i++)
                wordSymbols[w][i] = i == bytes.Length - 1 ? baseEndId[bytes[i]] : baseId[bytes[i]];
            wordLength[w] = bytes.Length;
            frequency[w] = wordFrequency[words[w]];
        }

        var pairCount = new Dictionary<long, long>(SymbolPair.Comparer);
        var pairWords = new Dictionary<long, HashSet<int>>(SymbolPair.Comparer);
        for (int w = 0; w < words.Length; w++)
            for (int i = 0; i + 1 < wordLength[w]; i++)
                AddPair(SymbolPair.Pack(wordSymbols[w][i], wordSymbols[w][i + 1]), frequency[w], w);

        var heap = new PriorityQueue<long, (long Count, int Left, int Right)>(new RankComparer(symbols));
        foreach ((long pair, long count) in pairCount)
            heap.Enqueue(pair, (count, SymbolPair.Left(pair), SymbolPair.Right(pair)));

        var merges = new List<(string, string)>();
        var changed = new HashSet<long>(SymbolPair.Comparer);
        int targetSymbols = _options.VocabularySize - 2;
        while (symbols.Count < targetSymbols && heap.TryDequeue(out long best, out var key))
        {
            if (!pairCount.TryGetValue(best, out long count) || count != key.Count)
                continue;   // stale heap entry
            if (count < _options.MinPairFrequency)
                break;

            int left = SymbolPair.Left(best), right = SymbolPair.Right(best);
            string mergedText = symbols[left] + symbols[right];
            if (mergedText == _options.BosToken || mergedText == _options.EosToken)
                throw new InvalidOperationException($"BPE training produced the special token {mergedText} as a merge; the pre-tokenizer should make that impossible.");
            int merged = symbolIds.TryGetValue(mergedText, out int existing) ? existing : AddSymbol(mergedText);
            merges.Add((symbols[left], symbols[right]));

            changed.Clear();
            int[] affected = pairWords[best].ToArray();
            Array.Sort(affected);
            foreach (int w in affected)
            {
                int[] s = wordSymbols[w];
                for (int i = 0; i + 1 < wordLength[w]; i++)
                    changed.Add(AddPair(SymbolPair.Pack(s[i], s[i + 1]), -frequency[w], w));
                int write = 0;
                for (int read = 0; read < wordLength[w]; read++)
                {
                    if (read + 1 < wordLength[w] && s[read] == left && s[read + 1] == right)
                    {
                        s[write++] = merged;
                        read++;
                    }
                    else
                    {
                        s[write++] = s[read];
                    }
                }
                wordLength[w] = write;
                for (int i = 0; i + 1 < write; i++)
                    changed.Add(AddPair(SymbolPair.Pack(s[i], s[i + 1]), frequency[w], w));
            }
            foreach (long pair in changed)
            {
                long now = pairCount[pair];
                if (now > 0)
                {
                    heap.Enqueue(pair, (now, SymbolPair.Left(pair), SymbolPair.Right(pair)));
                }
                else
                {
                    pairCount.Remove(pair);
                    pairWords.Remove(pair);
                }
            }
        }

        var vocabulary = new List<string>(symbols) { _options.BosToken, _options.EosToken };
        var config = new ClipTokenizerConfig
        {
            BosToken = _options.BosToken,
            EosToken = _options.EosToken,
            UnkToken = _options.EosToken,
            PadToken = _options.EosToken,
            ModelMaxLength = _options.ModelMaxLength,
        };
        return new BpeTrainingResult(vocabulary, merges, config, words.Length, wordCount);

        int AddSymbol(string text)
        {
            symbolIds.Add(text, symbols.Count);
            symbols.Add(text);
            return symbols.Count - 1;
        }

        long AddPair(long pair, long delta, int word)
        {
            pairCount[pair] = pairCount.GetValueOrDefault(pair) + delta;
            if (delta > 0)
            {
                if (!pairWords.TryGetValue(pair, out HashSet<int>? set))
                    pairWords[pair] = set = new HashSet<int>();
                set.Add(word);
            }
            return pair;
        }
    }

    /// <summary>Pre-token → frequency, with the same splitting and cleaning as <see cref="ClipTokenizer.Encode"/>.</summary>
    private Dictionary<string, int> CountWords(IEnumerable<string> captions, out long wordCount)
    {
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        var alternate = frequency.GetAlternateLookup<ReadOnlySpan<char>>();
        string[] specials = new[] { _options.BosToken, _options.EosToken }.Distinct(StringComparer.Ordinal).ToArray();
        wordCount = 0;
        foreach (string caption in captions)
        {
            if (caption is null)
                throw new ArgumentException("The caption corpus contains a null caption.", nameof(captions));
            foreach (string piece in caption.Split(specials, StringSplitOptions.None))
            {
                string text = ClipTextCleaner.Clean(piece);
                foreach ((int start, int length) in ClipPreTokenizer.Split(text))
                {
                    ReadOnlySpan<char> word = text.AsSpan(start, length);
                    if (word.SequenceEqual("<|startoftext|>") || word.SequenceEqual("<|endoftext|>"))
                        continue;   // the tokenizer maps these literals to the special ids, never to merges
                    alternate[word] = alternate.TryGetValue(word, out int n) ? n + 1 : 1;
                    wordCount++;
                }
            }
        }
        return frequency;
    }

    /// <summary>Heap order: higher count first, then ordinal order of the left symbol, then of the right symbol.</summary>
    private sealed class RankComparer(List<string> symbols) : IComparer<(long Count, int Left, int Right)>
    {
        public int Compare((long Count, int Left, int Right) x, (long Count, int Left, int Right) y)
        {
            int byCount = y.Count.CompareTo(x.Count);
            if (byCount != 0)
                return byCount;
            int byLeft = string.CompareOrdinal(symbols[x.Left], symbols[y.Left]);
            return byLeft != 0 ? byLeft : string.CompareOrdinal(symbols[x.Right], symbols[y.Right]);
        }
    }
}
