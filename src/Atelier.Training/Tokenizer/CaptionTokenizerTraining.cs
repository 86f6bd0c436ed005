using Atelier.Formats.Tokenizers;
using Atelier.Training.Data;

namespace Atelier.Training.Tokenizer;

/// <summary>
/// Trains the default model's byte-level BPE on its training captions (design: "trained on the train-split
/// captions + tags: vocabulary ≈ 4,096"): the corpus is every trainable train-split row's caption and each of its
/// tags (tags are what caption augmentation appends). Held-out captions are not in the corpus; their token lengths
/// are measured afterwards with the learned merges, with the training captions', to choose the context length.
/// </summary>
public static class CaptionTokenizerTraining
{
    /// <summary>
    /// Learns the merges, measures every trainable caption and writes vocab.json, merges.txt and
    /// tokenizer_config.json (model_max_length = <paramref name="contextLength"/>, or the suggested length) to
    /// <paramref name="directory"/>.
    /// </summary>
    public static (BpeTrainingResult Result, CaptionTokenStatistics Statistics, int ContextLength) TrainAndSave(
        IReadOnlyList<ManifestRow> rows, string directory, int vocabularySize, int? contextLength, int augmentationTags)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ManifestRow[] train = rows.Where(r => r.IsTrainable && r.Split == HeldOutSplit.Train).ToArray();
        if (train.Length == 0)
            throw new ArgumentException("tokenizer: the manifest has no trainable train-split rows.", nameof(rows));
        IEnumerable<string> corpus = train.SelectMany(r => r.Tags.Prepend(r.Caption));
        BpeTrainingResult result = new BpeTrainer(new BpeTrainerOptions { VocabularySize = vocabularySize }).Train(corpus);
        var statistics = CaptionTokenStatistics.Measure(result.ToTokenizer(), rows.Where(r => r.IsTrainable).ToArray(), augmentationTags);
        int context = contextLength ?? statistics.SuggestedContextLength;
        if (context < 3)
            throw new ArgumentOutOfRangeException(nameof(contextLength), context, "tokenizer: the context length must hold bos, one token and eos.");
        result.Save(directory);
        using (FileStream config = File.Create(Path.Combine(directory, ClipTokenizerConfig.TokenizerConfigFileName)))
            (result.Config with { ModelMaxLength = context }).Write(config);
        return (result, statistics, context);
    }
}
