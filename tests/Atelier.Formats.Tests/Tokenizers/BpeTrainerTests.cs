using Atelier.Formats.Tokenizers;

namespace Atelier.Formats.Tests.Tokenizers;

public class BpeTrainerTests
{
    /// <summary>Sennrich et al.'s example corpus: low ×5, lower ×2, newest ×6, widest ×3.</summary>
    private static readonly string[] s_sennrich =
    [
        "low low low low low", "lower lower", "newest newest newest newest newest newest", "widest widest widest",
    ];

    [Fact]
    public void LearnsTheHandCheckedMergesOfTheSennrichCorpus()
    {
        // Worked by hand from the pair counts. Ties: (e,s) and (s,t</w>) both 9 -> "e" < "s"; then (n,e), (e,w),
        // (w,est</w>) all 6 -> "e" first; (ew,est</w>) vs (n,ew) -> "ew" < "n"; later 3-way and 2-way ties likewise.
        (string, string)[] expected =
        [
            ("e", "s"), ("es", "t</w>"), ("l", "o"), ("e", "w"), ("ew", "est</w>"), ("n", "ewest</w>"), ("lo", "w</w>"),
            ("d", "est</w>"), ("i", "dest</w>"), ("w", "idest</w>"), ("e", "r</w>"), ("lo", "w"), ("low", "er</w>"),
        ];
        BpeTrainingResult result = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 1000 }).Train(s_sennrich);
        Assert.Equal(expected, result.Merges);
        Assert.Equal(512 + expected.Length + 2, result.Vocabulary.Count);   // the corpus ran out of pairs seen twice
        Assert.Equal(4, result.WordTypes);
        Assert.Equal(16, result.WordCount);
        Assert.Equal("es", result.Vocabulary[512]);
        Assert.Equal("<|endoftext|>", result.Vocabulary[^1]);

        ClipTokenizer tokenizer = result.ToTokenizer();
        Assert.Equal(new[] { "lower</w>", "newest</w>", "low", "est</w>" }, tokenizer.Tokenize("Lower newest lowest"));
    }

    [Fact]
    public void StopsAtTheRequestedVocabularySize()
    {
        BpeTrainingResult result = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 520 }).Train(s_sennrich);
        Assert.Equal(520, result.Vocabulary.Count);
        Assert.Equal(6, result.Merges.Count);

        BpeTrainingResult larger = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 1400 }).Train(Captions(3000));
        Assert.Equal(1400, larger.Vocabulary.Count);
        Assert.Equal(1400, larger.ToTokenizer().VocabularySize);
    }

    [Fact]
    public void TheTrainedTokenizerRoundTripsEveryTrainingCaption()
    {
        string[] captions = Captions(1500);
        ClipTokenizer tokenizer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 1200 }).Train(captions).ToTokenizer();
        foreach (string caption in captions)
        {
            string cleaned = ClipTextCleaner.Clean(caption);
            string expected = string.Join(" ", ClipPreTokenizer.Split(cleaned).Select(p => cleaned.Substring(p.Start, p.Length)));
            Assert.Equal(expected, tokenizer.Decode(tokenizer.Encode(caption)));
        }
        // Frequent words became single tokens; text never seen still encodes, byte by byte at worst.
        Assert.Single(tokenizer.Tokenize("painting"));
        Assert.Equal("zqxj ✓", tokenizer.Decode(tokenizer.Encode("ZQXJ ✓")));
    }

    [Fact]
    public void WritesFilesThatLoadAndAreIdenticalOnEveryRunAndInAnyCaptionOrder()
    {
        string[] captions = Captions(800);
        var options = new BpeTrainerOptions { VocabularySize = 900 };
        string first = Directory.CreateTempSubdirectory("atelier-bpe-").FullName;
        string second = Directory.CreateTempSubdirectory("atelier-bpe-").FullName;
        try
        {
            new BpeTrainer(options).Train(captions).Save(first);
            new BpeTrainer(options).Train(captions.Reverse().ToArray()).Save(second);
            foreach (string file in new[] { "vocab.json", "merges.txt", "tokenizer_config.json" })
                Assert.Equal(File.ReadAllBytes(Path.Combine(first, file)), File.ReadAllBytes(Path.Combine(second, file)));

            ClipTokenizer loaded = ClipTokenizer.FromDirectory(first);
            Assert.Equal(900, loaded.VocabularySize);
            Assert.Equal((898, 899, 899, 77), (loaded.BosTokenId, loaded.EosTokenId, loaded.PadTokenId, loaded.MaxLength));
            Assert.StartsWith("#version: 0.2\n", File.ReadAllText(Path.Combine(first, "merges.txt")));
            TokenizedPrompt prompt = loaded.EncodeForModel(captions[0]);
            Assert.Equal(new BpeTrainer(options).Train(captions).ToTokenizer().EncodeForModel(captions[0]).InputIds, prompt.InputIds);
        }
        finally
        {
            Directory.Delete(first, recursive: true);
            Directory.Delete(second, recursive: true);
        }
    }

    [Fact]
    public void UsesTheSameCleaningAndPreTokenizationAsTheTokenizer()
    {
        // Upper case, mojibake and entities are cleaned first; digits never merge (one pre-token per digit);
        // special-token literals are not learned.
        string[] captions = Enumerable.Repeat("CafÃ© &amp; 2024 <|endoftext|>", 10).ToArray();
        BpeTrainingResult result = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 600 }).Train(captions);
        Assert.Contains("cafÃ©</w>", result.Vocabulary);   // "café" in the byte-level alphabet (é = C3 A9)
        Assert.DoesNotContain(result.Merges, m => m.Left.Any(char.IsAsciiDigit) && m.Right.Any(char.IsAsciiDigit));
        Assert.DoesNotContain(result.Merges, m => (m.Left + m.Right).Contains("endoftext", StringComparison.Ordinal));
        Assert.Equal(10 * 6, result.WordCount);   // café, &, 2, 0, 2, 4
    }

    [Fact]
    public void MergesThatSpellAnExistingTokenReuseIt()
    {
        // "abc" can be built as (ab, c) in one word and (a, bc) in another; the vocabulary must hold it once.
        string[] captions = [.. Enumerable.Repeat("xab cab cab abc abc abc", 4), .. Enumerable.Repeat("bcx bcx bcx", 4)];
        BpeTrainingResult result = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 700, MinPairFrequency = 1 }).Train(captions);
        Assert.Equal(result.Vocabulary.Count, result.Vocabulary.Distinct().Count());
        ClipTokenizer tokenizer = result.ToTokenizer();
        foreach (string caption in captions)
            Assert.Equal(ClipTextCleaner.Clean(caption), tokenizer.Decode(tokenizer.Encode(caption)));
    }

    [Fact]
    public void RejectsImpossibleOptions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BpeTrainer(new BpeTrainerOptions { VocabularySize = 513 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BpeTrainer(new BpeTrainerOptions { MinPairFrequency = 0 }));
    }

    /// <summary>Short art captions from a fixed grammar and a fixed-seed generator; made-up place names give variety.</summary>
    internal static string[] Captions(int count)
    {
        string[] syllables = ["ka", "lo", "mi", "ren", "sa", "tor", "vel", "an", "ber", "cu", "dra", "es", "fi", "gon", "hal", "is", "jor", "ku", "lin", "mor"];
        string[] subjects = ["a cat", "an old lighthouse", "two foxes", "a portrait of a woman", "a mountain village", "the harbour", "a bowl of fruit", "an astronaut", "a sailing ship", "a forest path"];
        string[] styles = ["oil painting", "watercolour", "charcoal sketch", "woodcut print", "pastel drawing", "etching", "gouache study"];
        string[] details = ["at dusk", "in the rain", "under a starry sky", "with soft light", "in spring", "at noon", "by the sea", "covered in snow"];
        string[] artists = ["after Turner", "in the style of Hokusai", "Dutch Golden Age", "impressionist", "art nouveau", "19th century"];
        var random = new Random(1234);
        var captions = new string[count];
        for (int i = 0; i < count; i++)
        {
            string place = string.Concat(Enumerable.Range(0, 2 + random.Next(3)).Select(_ => syllables[random.Next(syllables.Length)]));
            string caption = $"{styles[random.Next(styles.Length)]} of {subjects[random.Next(subjects.Length)]} near {place} {details[random.Next(details.Length)]}";
            if (random.Next(2) == 0)
                caption += ", " + artists[random.Next(artists.Length)];
            if (random.Next(5) == 0)
                caption = caption.ToUpperInvariant() + $" #{random.Next(1000)}";
            captions[i] = caption;
        }
        return captions;
    }
}
