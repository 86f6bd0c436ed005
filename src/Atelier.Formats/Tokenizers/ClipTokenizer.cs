using System.Diagnostics;
using System.Text;

namespace Atelier.Formats.Tokenizers;

/// <summary>
/// The CLIP BPE tokenizer exactly as transformers' <c>CLIPTokenizer</c> (slow, with ftfy) encodes prompts for
/// Stable Diffusion; verified id for id against the reference fixture (tests/…/Tokenizers/ClipTokenizerParityTests).
/// Pipeline: (1) split the raw prompt at literal special tokens (bos, eos, unk, pad: a literal "&lt;|endoftext|&gt;"
/// IS the token, and an SD 2.x tokenizer, whose pad token is "!", turns every '!' into token 0 as the reference
/// does); (2) clean each piece (<see cref="ClipTextCleaner"/>: ftfy fixes, whitespace collapse, lowercase);
/// (3) pre-tokenize (<see cref="ClipPreTokenizer"/>); (4) byte-level BPE per word (<see cref="BpeModel"/>).
/// Thread-safe. Loading parses and cross-checks both files; an inconsistency is a <see cref="TokenizerFormatException"/>
/// naming the file and line.
/// </summary>
public sealed class ClipTokenizer
{
    private readonly BpeModel _model;
    private readonly string[] _splitTokens;
    private readonly HashSet<int> _specialIds;
    // The CLIP reference pre-seeds its BPE cache with these two strings, so the pre-tokenizer's literal matches
    // map to the special ids even when they came out of cleaning (e.g. "<|ENDOFTEXT|>" lowercased).
    private readonly (string Literal, int Id)[] _seededWords;

    private static readonly string[] s_seededLiterals = ["<|startoftext|>", "<|endoftext|>"];

    private ClipTokenizer(BpeModel model, ClipTokenizerConfig config, string vocabName)
    {
        _model = model;
        Config = config;
        BosTokenId = RequireToken(config.BosToken, "bos_token");
        EosTokenId = RequireToken(config.EosToken, "eos_token");
        UnkTokenId = RequireToken(config.UnkToken, "unk_token");
        PadTokenId = RequireToken(config.PadToken, "pad_token");
        _specialIds = [BosTokenId, EosTokenId, UnkTokenId, PadTokenId];
        _splitTokens = new[] { config.BosToken, config.EosToken, config.UnkToken, config.PadToken }
            .Distinct(StringComparer.Ordinal).OrderByDescending(t => t.Length).ToArray();
        var seeded = new List<(string, int)>();
        foreach (string literal in s_seededLiterals)
            if (model.TryGetId(literal, out int id))
                seeded.Add((literal, id));
        _seededWords = [.. seeded];

        int RequireToken(string token, string field) => model.TryGetId(token, out int id) ? id
            : throw new TokenizerFormatException(vocabName, null, $"the {field} {BpeFiles.Quote(token)} named by the tokenizer config is not in the vocabulary");
    }

    /// <summary>The special tokens and maximum length this tokenizer was loaded with.</summary>
    public ClipTokenizerConfig Config { get; }

    public int BosTokenId { get; }
    public int EosTokenId { get; }
    public int UnkTokenId { get; }
    public int PadTokenId { get; }

    /// <summary>The default sequence length of <see cref="EncodeForModel(string)"/> (config model_max_length, 77 for CLIP).</summary>
    public int MaxLength => Config.ModelMaxLength;

    public int VocabularySize => _model.Count;

    /// <summary>
    /// Loads vocab.json and merges.txt from <paramref name="directory"/>, plus tokenizer_config.json and
    /// special_tokens_map.json when present (a diffusers folder's <c>tokenizer/</c>, or a folder written by <see cref="BpeTrainer"/>).
    /// </summary>
    public static ClipTokenizer FromDirectory(string directory)
    {
        string vocabPath = Path.Combine(directory, BpeFiles.VocabFileName);
        string mergesPath = Path.Combine(directory, BpeFiles.MergesFileName);
        foreach (string required in new[] { vocabPath, mergesPath })
            if (!File.Exists(required))
                throw new FileNotFoundException($"Tokenizer folder {directory} has no {Path.GetFileName(required)}; a CLIP tokenizer needs vocab.json and merges.txt.", required);
        string configPath = Path.Combine(directory, ClipTokenizerConfig.TokenizerConfigFileName);
        string mapPath = Path.Combine(directory, ClipTokenizerConfig.SpecialTokensMapFileName);

        using FileStream vocab = File.OpenRead(vocabPath);
        using FileStream merges = File.OpenRead(mergesPath);
        using FileStream? config = File.Exists(configPath) ? File.OpenRead(configPath) : null;
        using FileStream? map = File.Exists(mapPath) ? File.OpenRead(mapPath) : null;
        return Load(vocab, merges, ClipTokenizerConfig.Read(config, map, configPath, mapPath), vocabPath, mergesPath);
    }

    /// <summary>Loads from streams; null config streams mean the files are absent. Names are used in error messages.</summary>
    public static ClipTokenizer FromStreams(Stream vocabJson, Stream mergesTxt, Stream? tokenizerConfigJson = null, Stream? specialTokensMapJson = null,
        string vocabName = BpeFiles.VocabFileName, string mergesName = BpeFiles.MergesFileName)
    {
        ArgumentNullException.ThrowIfNull(vocabJson);
        ArgumentNullException.ThrowIfNull(mergesTxt);
        return Load(vocabJson, mergesTxt, ClipTokenizerConfig.Read(tokenizerConfigJson, specialTokensMapJson), vocabName, mergesName);
    }

    /// <summary>Loads vocab.json and merges.txt with an explicit config (e.g. an SD 2.x pad token over SD 1.x files).</summary>
    public static ClipTokenizer FromStreams(Stream vocabJson, Stream mergesTxt, ClipTokenizerConfig config,
        string vocabName = BpeFiles.VocabFileName, string mergesName = BpeFiles.MergesFileName)
    {
        ArgumentNullException.ThrowIfNull(vocabJson);
        ArgumentNullException.ThrowIfNull(mergesTxt);
        ArgumentNullException.ThrowIfNull(config);
        return Load(vocabJson, mergesTxt, config, vocabName, mergesName);
    }

    private static ClipTokenizer Load(Stream vocab, Stream merges, ClipTokenizerConfig config, string vocabName, string mergesName)
    {
        string[] tokens = BpeFiles.ReadVocab(vocab, vocabName);
        List<BpeMerge> mergeList = BpeFiles.ReadMerges(merges, mergesName);
        return new ClipTokenizer(new BpeModel(tokens, mergeList, vocabName, mergesName), config, vocabName);
    }

    /// <summary>The token ids of <paramref name="prompt"/>, without bos/eos, untruncated.</summary>
    public int[] Encode(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var ids = new List<int>(prompt.Length / 3 + 4);
        foreach ((string piece, bool isSpecial) in SplitAtSpecialTokens(prompt))
        {
            if (isSpecial)
            {
                ids.Add(_model.TryGetId(piece, out int specialId) ? specialId : UnkTokenId);
                continue;
            }
            string text = ClipTextCleaner.Clean(piece);
            foreach ((int start, int length) in ClipPreTokenizer.Split(text))
            {
                ReadOnlySpan<char> word = text.AsSpan(start, length);
                int seeded = SeededId(word);
                if (seeded >= 0)
                    ids.Add(seeded);
                else
                    ids.AddRange(_model.EncodeWord(word));
            }
        }
        return ids.ToArray();
    }

    /// <summary>The BPE token strings of <paramref name="prompt"/> (what <see cref="Encode"/> returns, as text; "&lt;/w&gt;" ends a word).</summary>
    public IReadOnlyList<string> Tokenize(string prompt) => Encode(prompt).Select(_model.TokenOf).ToArray();

    /// <summary>Ids for the text encoder, <see cref="MaxLength"/> long (77 for CLIP).</summary>
    public TokenizedPrompt EncodeForModel(string prompt) => EncodeForModel(prompt, MaxLength);

    /// <summary>[bos] + the first maxLength-2 tokens + [eos], padded with the pad id to maxLength.</summary>
    public TokenizedPrompt EncodeForModel(string prompt, int maxLength)
    {
        if (maxLength < 2)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must leave room for bos and eos (at least 2).");
        int[] tokens = Encode(prompt);
        int kept = Math.Min(tokens.Length, maxLength - 2);
        var inputIds = new int[maxLength];
        var mask = new int[maxLength];
        inputIds[0] = BosTokenId;
        tokens.AsSpan(0, kept).CopyTo(inputIds.AsSpan(1));
        inputIds[kept + 1] = EosTokenId;
        inputIds.AsSpan(kept + 2).Fill(PadTokenId);
        mask.AsSpan(0, kept + 2).Fill(1);

        int[] dropped = tokens[kept..];
        string droppedText = "";
        if (dropped.Length > 0)
        {
            int wordStart = kept;
            while (wordStart > 0 && !_model.TokenOf(tokens[wordStart - 1]).EndsWith(ByteLevelAlphabet.EndOfWord, StringComparison.Ordinal)
                   && !_specialIds.Contains(tokens[wordStart - 1]))
                wordStart--;
            droppedText = Decode(tokens.AsSpan(wordStart));
        }
        return new TokenizedPrompt(inputIds, mask, tokens.Length + 2, dropped.Length > 0, dropped, droppedText);
    }

    /// <summary>
    /// Text from token ids: byte symbols back to UTF-8 (invalid bytes become U+FFFD), "&lt;/w&gt;" to a space, the
    /// result trimmed. Special tokens (bos, eos, unk, pad) are skipped unless asked for. For text without special
    /// tokens, <c>Decode(Encode(x))</c> is the cleaned text with one space between pre-tokens.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = true)
    {
        var bytes = new List<byte>(ids.Length * 4);
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            string token = _model.TokenOf(id);
            if (_specialIds.Contains(id))
            {
                if (!skipSpecialTokens)
                {
                    Flush();
                    text.Append(token);
                }
                continue;
            }
            bool endsWord = token.EndsWith(ByteLevelAlphabet.EndOfWord, StringComparison.Ordinal);
            ReadOnlySpan<char> symbols = token.AsSpan(0, endsWord ? token.Length - ByteLevelAlphabet.EndOfWord.Length : token.Length);
            if (IsByteLevel(symbols))
            {
                foreach (char c in symbols)
                    bytes.Add(ByteLevelAlphabet.TryGetByte(c, out byte b) ? b : throw new UnreachableException());
            }
            else
            {
                // A vocabulary may hold extra tokens outside the byte alphabet (e.g. "<pad>"): they read as written.
                Flush();
                text.Append(symbols);
            }
            if (endsWord)
                bytes.Add((byte)' ');
        }
        Flush();
        string decoded = text.ToString();
        int first = 0, last = decoded.Length;
        while (first < last && PythonText.IsSpace(decoded[first]))
            first++;
        while (last > first && PythonText.IsSpace(decoded[last - 1]))
            last--;
        return decoded[first..last];

        void Flush()
        {
            text.Append(Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)));
            bytes.Clear();
        }
    }

    private static bool IsByteLevel(ReadOnlySpan<char> symbols)
    {
        foreach (char c in symbols)
            if (!ByteLevelAlphabet.TryGetByte(c, out _))
                return false;
        return true;
    }

    /// <summary>The token string of an id (e.g. "photo&lt;/w&gt;").</summary>
    public string IdToToken(int id) => _model.TokenOf(id);

    public bool TryGetTokenId(string token, out int id) => _model.TryGetId(token, out id);

    private int SeededId(ReadOnlySpan<char> word)
    {
        foreach ((string literal, int id) in _seededWords)
            if (word.SequenceEqual(literal))
                return id;
        return -1;
    }

    /// <summary>transformers' added-token trie: the leftmost, then longest, literal occurrence of a special token splits the text.</summary>
    private IEnumerable<(string Piece, bool IsSpecial)> SplitAtSpecialTokens(string prompt)
    {
        int start = 0;
        for (int i = 0; i < prompt.Length; i++)
        {
            foreach (string special in _splitTokens)
            {
                if (prompt[i] != special[0] || !prompt.AsSpan(i).StartsWith(special, StringComparison.Ordinal))
                    continue;
                if (i > start)
                    yield return (prompt[start..i], false);
                yield return (special, true);
                start = i + special.Length;
                i = start - 1;
                break;
            }
        }
        if (start < prompt.Length)
            yield return (prompt[start..], false);
    }
}
