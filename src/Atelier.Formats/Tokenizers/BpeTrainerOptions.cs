namespace Atelier.Formats.Tokenizers;

/// <summary>Settings of <see cref="BpeTrainer"/>.</summary>
public sealed record BpeTrainerOptions
{
    /// <summary>
    /// Total vocabulary size: the 512 byte symbols (256 plain, 256 ending a word), one token per merge, and
    /// the two special tokens. So <c>VocabularySize - 514</c> merges are learned (fewer if the corpus runs out of
    /// pairs seen <see cref="MinPairFrequency"/> times). At least 514.
    /// </summary>
    public int VocabularySize { get; init; } = 4096;

    /// <summary>A pair seen fewer times than this over the corpus is not merged (default 2: one occurrence is noise).</summary>
    public int MinPairFrequency { get; init; } = 2;

    /// <summary>Written as model_max_length in tokenizer_config.json: the text encoder's position count.</summary>
    public int ModelMaxLength { get; init; } = 77;

    /// <summary>The special tokens written to the vocabulary (last two ids, bos then eos) and the config.</summary>
    public string BosToken { get; init; } = "<|startoftext|>";

    public string EosToken { get; init; } = "<|endoftext|>";
}
