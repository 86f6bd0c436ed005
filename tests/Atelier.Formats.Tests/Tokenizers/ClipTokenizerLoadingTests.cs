using Atelier.Formats.Tokenizers;

namespace Atelier.Formats.Tests.Tokenizers;

/// <summary>Inconsistent or malformed tokenizer files fail with the file, the line and what was expected.</summary>
public class ClipTokenizerLoadingTests
{
    private static readonly (string, string)[] s_merges = [("h", "i</w>"), ("l", "o"), ("lo", "w</w>")];

    private static TokenizerFormatException LoadFails(string vocabJson, string mergesTxt, string? config = null)
        => Assert.Throws<TokenizerFormatException>(() => TestVocabulary.Load(vocabJson, mergesTxt, config));

    [Fact]
    public void AConsistentPairLoadsAndEncodes()
    {
        ClipTokenizer tokenizer = TestVocabulary.Load(TestVocabulary.VocabJson(TestVocabulary.Tokens(s_merges)), TestVocabulary.MergesTxt(s_merges));
        Assert.Equal(512 + 3 + 2, tokenizer.VocabularySize);
        Assert.Equal(new[] { "hi</w>", "low</w>", "lo", "l", "y</w>" }, tokenizer.Tokenize("Hi low loly"));
        Assert.Equal(tokenizer.VocabularySize - 1, tokenizer.EosTokenId);
        Assert.Equal(tokenizer.EosTokenId, tokenizer.PadTokenId);
    }

    [Fact]
    public void ExtraTokensOutsideTheByteAlphabetDecodeAsWritten()
    {
        var tokens = TestVocabulary.Tokens(s_merges);
        tokens.Add("<pad>");
        ClipTokenizer tokenizer = TestVocabulary.Load(TestVocabulary.VocabJson(tokens), TestVocabulary.MergesTxt(s_merges));
        int pad = tokens.Count - 1;
        Assert.Equal("hi <pad>low", tokenizer.Decode([.. tokenizer.Encode("hi"), pad, .. tokenizer.Encode("low")]));
    }

    [Fact]
    public void AMergeOfAnUnknownSymbolNamesTheLine()
    {
        var tokens = TestVocabulary.Tokens(s_merges);
        tokens.Remove("lo");
        var e = LoadFails(TestVocabulary.VocabJson(tokens), TestVocabulary.MergesTxt(s_merges));
        Assert.Equal("merges.txt", e.FileName);
        Assert.Equal(3, e.LineNumber);
        Assert.Contains("\"l o\"", e.Message);
        Assert.Contains("\"lo\"", e.Message);
        Assert.Contains("not in vocab.json", e.Message);
    }

    [Fact]
    public void AMergeWhoseSymbolIsUnknownFailsEvenWhenTheResultIsKnown()
    {
        var e = LoadFails(TestVocabulary.VocabJson(TestVocabulary.Tokens(s_merges)), TestVocabulary.MergesTxt([.. s_merges, ("zz", "q")]));
        Assert.Equal(5, e.LineNumber);
        Assert.Contains("\"zz\"", e.Message);
    }

    [Fact]
    public void DuplicateIdsAreRejected()
    {
        string json = TestVocabulary.VocabJson(TestVocabulary.Tokens(s_merges)).Replace("\"lo\": 513", "\"lo\": 512", StringComparison.Ordinal);
        var e = LoadFails(json, TestVocabulary.MergesTxt(s_merges));
        Assert.Equal("vocab.json", e.FileName);
        Assert.Contains("id 512 is given to both \"hi</w>\" and \"lo\"", e.Message);
    }

    [Fact]
    public void DuplicateTokensAreRejected()
    {
        string json = TestVocabulary.VocabJson(TestVocabulary.Tokens(s_merges)).Replace("\"lo\": 513", "\"hi</w>\": 513", StringComparison.Ordinal);
        var e = LoadFails(json, TestVocabulary.MergesTxt(s_merges));
        Assert.Contains("token \"hi</w>\" appears twice", e.Message);
    }

    [Fact]
    public void GapsInIdsAreRejected()
    {
        string json = TestVocabulary.VocabJson(TestVocabulary.Tokens(s_merges)).Replace("\"lo\": 513", "\"lo\": 900", StringComparison.Ordinal);
        var e = LoadFails(json, TestVocabulary.MergesTxt(s_merges));
        Assert.Contains("id 513 is missing", e.Message);
    }

    [Theory]
    [InlineData("{\"a\": \"x\"}", "the id of token \"a\" is the string \"x\"")]
    [InlineData("{\"a\": -1}", "the id of token \"a\" is the number -1")]
    [InlineData("[\"a\"]", "expected a JSON object")]
    [InlineData("{\"a\": 0,,}", "not valid JSON")]
    [InlineData("{}", "the vocabulary is empty")]
    public void MalformedVocabJsonIsRejected(string json, string expected)
    {
        var e = LoadFails(json, TestVocabulary.MergesTxt());
        Assert.Equal("vocab.json", e.FileName);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("h i</w>\nl o\n", 1, "expected the header line '#version: 0.2'")]
    [InlineData("", 1, "found an empty file")]
    [InlineData("#version: 0.2\nh  i</w>\n", 2, "two symbols separated by one space")]
    [InlineData("#version: 0.2\nhi\n", 2, "two symbols separated by one space")]
    [InlineData("#version: 0.2\nh i</w>\n\nl o\n", 3, "blank line between merges")]
    [InlineData("#version: 0.2\nh i</w>\nh i</w>\n", 3, "already appeared on line 2")]
    public void MalformedMergesTxtIsRejected(string merges, int line, string expected)
    {
        var e = LoadFails(TestVocabulary.VocabJson(TestVocabulary.Tokens(s_merges)), merges);
        Assert.Equal("merges.txt", e.FileName);
        Assert.Equal(line, e.LineNumber);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TrailingBlankLinesAndAMissingFinalNewlineAreFine()
    {
        string vocab = TestVocabulary.VocabJson(TestVocabulary.Tokens(s_merges));
        Assert.Equal(517, TestVocabulary.Load(vocab, TestVocabulary.MergesTxt(s_merges) + "\n\n").VocabularySize);
        Assert.Equal(517, TestVocabulary.Load(vocab, TestVocabulary.MergesTxt(s_merges).TrimEnd('\n')).VocabularySize);
    }

    [Fact]
    public void AMissingByteSymbolIsRejected()
    {
        var tokens = TestVocabulary.Tokens(s_merges);
        tokens.Remove("Ġ</w>");
        var e = LoadFails(TestVocabulary.VocabJson(tokens), TestVocabulary.MergesTxt(s_merges));
        Assert.Contains("\"Ġ</w>\" (byte 0x20 ending a word) is missing", e.Message);
    }

    [Fact]
    public void ConfigTokensMustBeInTheVocabulary()
    {
        string config = "{\"pad_token\": {\"content\": \"<pad>\", \"__type\": \"AddedToken\"}}";
        var e = LoadFails(TestVocabulary.VocabJson(TestVocabulary.Tokens(s_merges)), TestVocabulary.MergesTxt(s_merges), config);
        Assert.Contains("pad_token \"<pad>\"", e.Message);
    }

    [Theory]
    [InlineData("{\"model_max_length\": 1000000000000000019884624838656}", "model_max_length is 1000000000000000019884624838656")]
    [InlineData("{\"bos_token\": 5}", "bos_token is 5")]
    [InlineData("{\"eos_token\": \"\"}", "eos_token is the empty string")]
    [InlineData("not json", "not valid JSON")]
    public void BadConfigsAreRejected(string config, string expected)
    {
        var e = LoadFails(TestVocabulary.VocabJson(TestVocabulary.Tokens(s_merges)), TestVocabulary.MergesTxt(s_merges), config);
        Assert.Equal("tokenizer_config.json", e.FileName);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AFolderWithoutMergesNamesTheMissingFile()
    {
        string dir = Directory.CreateTempSubdirectory("atelier-tok-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "vocab.json"), "{}");
            var e = Assert.Throws<FileNotFoundException>(() => ClipTokenizer.FromDirectory(dir));
            Assert.Contains("merges.txt", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
