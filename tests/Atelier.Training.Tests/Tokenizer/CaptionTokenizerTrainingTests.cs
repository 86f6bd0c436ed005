using Atelier.Formats.Tokenizers;
using Atelier.Training.Data;
using Atelier.Training.Tokenizer;

namespace Atelier.Training.Tests.Tokenizer;

public sealed class CaptionTokenizerTrainingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "atelier-tok-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static ManifestRow Row(string id, string split, string caption, string[] tags, string consent = ManifestRow.Licensed) =>
        new(id, split, "noto", "pkg", "1.0.0", "a.svg", $"images/noto/{id}.png", "Apache-2.0", "noto", id, caption, tags, new string('0', 64), consent);

    private static readonly ManifestRow[] s_rows =
    [
        Row("1f355", HeldOutSplit.Train, "pizza, noto style", ["cheese", "slice"]),
        Row("1f3c3", HeldOutSplit.Train, "person running, noto style", ["marathon", "running"]),
        Row("1f3c3-1f3fd", HeldOutSplit.Train, "person running: medium skin tone, noto style", ["marathon", "running"]),
        Row("1f431", HeldOutSplit.Train, "cat face, noto style", ["cat", "pet", "face"]),
        Row("2b50", HeldOutSplit.HeldOut, "star, noto style", ["glittery"]),
        Row("1f4a9", HeldOutSplit.Train, "zebra unicorn quokka", ["secret"], ManifestRow.OptedOut),
    ];

    [Fact]
    public void Trained_tokenizer_loads_back_and_round_trips_training_and_held_out_captions()
    {
        var (result, statistics, context) = CaptionTokenizerTraining.TrainAndSave(s_rows, _folder, vocabularySize: 600, contextLength: null, augmentationTags: 2);

        ClipTokenizer loaded = ClipTokenizer.FromDirectory(_folder);
        Assert.Equal(result.Vocabulary.Count, loaded.VocabularySize);
        Assert.Equal(32, context);
        Assert.Equal(32, loaded.MaxLength);
        foreach (string caption in new[] { "person running: medium skin tone, noto style", "star, noto style", "cheese" })
        {
            int[] ids = loaded.Encode(caption);
            Assert.Equal(ids, loaded.Encode(loaded.Decode(ids)));
            Assert.Equal(caption.Replace(":", " :").Replace(",", " ,"), loaded.Decode(ids));
        }
        Assert.Equal(5, statistics.Captions);   // trainable rows of both splits; the opted-out row is not measured
        Assert.Equal(loaded.Encode("person running: medium skin tone, noto style").Length + 2, statistics.LongestCaption);
        // merges come only from the train split's licensed captions and tags
        Assert.DoesNotContain(result.Merges, m => (m.Left + m.Right).Contains("zebra", StringComparison.Ordinal));
        Assert.Contains(result.Merges, m => (m.Left + m.Right).StartsWith("noto", StringComparison.Ordinal));
        Assert.True(loaded.Encode("noto").Length == 1, "a frequent training word is one token");
    }

    [Fact]
    public void An_explicit_context_length_is_written_to_the_config()
    {
        CaptionTokenizerTraining.TrainAndSave(s_rows, _folder, vocabularySize: 560, contextLength: 40, augmentationTags: 1);
        Assert.Equal(40, ClipTokenizer.FromDirectory(_folder).MaxLength);
    }

    [Fact]
    public void A_manifest_without_trainable_train_rows_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => CaptionTokenizerTraining.TrainAndSave(s_rows[4..], _folder, 560, null, 1));
        Assert.Contains("no trainable train-split rows", e.Message);
    }
}
