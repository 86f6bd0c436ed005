namespace Atelier.Formats.Tokenizers;

/// <summary>
/// A learned byte-level BPE vocabulary in CLIP's layout: ids 0–255 the byte symbols, 256–511 the same ending a word,
/// then one token per merge in merge order, then bos and eos.
/// </summary>
public sealed class BpeTrainingResult
{
    internal BpeTrainingResult(IReadOnlyList<string> vocabulary, IReadOnlyList<(string Left, string Right)> merges,
        ClipTokenizerConfig config, int wordTypes, long wordCount)
    {
        Vocabulary = vocabulary;
        Merges = merges;
        Config = config;
        WordTypes = wordTypes;
        WordCount = wordCount;
    }

    /// <summary>Tokens by id.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Merges in rank order (the order they were learned).</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>The tokenizer_config.json content written beside the vocabulary.</summary>
    public ClipTokenizerConfig Config { get; }

    /// <summary>Distinct pre-tokens ("words") in the corpus.</summary>
    public int WordTypes { get; }

    /// <summary>Pre-tokens in the corpus, repeats counted.</summary>
    public long WordCount { get; }

    /// <summary>Writes vocab.json, merges.txt and tokenizer_config.json into <paramref name="directory"/> (created if needed).</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        using (FileStream vocab = File.Create(Path.Combine(directory, BpeFiles.VocabFileName)))
            BpeFiles.WriteVocab(vocab, Vocabulary);
        using (FileStream merges = File.Create(Path.Combine(directory, BpeFiles.MergesFileName)))
            BpeFiles.WriteMerges(merges, Merges);
        using (FileStream config = File.Create(Path.Combine(directory, ClipTokenizerConfig.TokenizerConfigFileName)))
            Config.Write(config);
    }

    /// <summary>A tokenizer over this vocabulary, without going through files.</summary>
    public ClipTokenizer ToTokenizer()
    {
        using var vocab = new MemoryStream();
        using var merges = new MemoryStream();
        BpeFiles.WriteVocab(vocab, Vocabulary);
        BpeFiles.WriteMerges(merges, Merges);
        vocab.Position = 0;
        merges.Position = 0;
        return ClipTokenizer.FromStreams(vocab, merges, Config);
    }
}
