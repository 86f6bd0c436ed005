using Atelier.Formats.Tokenizers;

namespace Atelier.Formats.Tests.Tokenizers;

/// <summary>Behaviour of the CLIP tokenizer beyond the fixture: round trips, truncation reports, special tokens.</summary>
public class ClipTokenizerTests
{
    [SkippableTheory]
    [InlineData("a photo of an astronaut riding a horse on mars")]
    [InlineData("A Photo Of A CAT")]
    [InlineData("  supercalifragilisticexpialidocious   antidisestablishmentarianism ")]
    [InlineData("oil painting , trending on artstation , 8 k")]
    [InlineData("ALLCAPS SHOUTING TEXT\twith\ttabs")]
    public void DecodeOfEncodeIsTheCleanedLowercasedText(string prompt)
    {
        ClipTokenizer tokenizer = ReferenceTokenizer.Sd1;
        Assert.Equal(ClipTextCleaner.Clean(prompt), tokenizer.Decode(tokenizer.Encode(prompt)));
    }

    [SkippableFact]
    public void DecodeOfEncodeJoinsThePreTokensWithSpacesForEveryFixturePrompt()
    {
        ClipTokenizer tokenizer = ReferenceTokenizer.Sd1;
        foreach (var c in ReferenceTokenizer.Cases())
        {
            if (c.Prompt.Contains("<|"))
                continue;   // special tokens are skipped by Decode
            string cleaned = ClipTextCleaner.Clean(c.Prompt);
            string expected = string.Join(" ", ClipPreTokenizer.Split(cleaned).Select(p => cleaned.Substring(p.Start, p.Length)));
            Assert.True(expected == tokenizer.Decode(tokenizer.Encode(c.Prompt)), $"round trip of {ClipTokenizerParityTests.Show(c.Prompt)}");
        }
    }

    [SkippableFact]
    public void TruncationReportsTheDroppedWords()
    {
        ClipTokenizer tokenizer = ReferenceTokenizer.Sd1;
        string prompt = string.Join(" ", Enumerable.Range(0, 80).Select(i => "cat")) + " with a colossal waterfall";
        TokenizedPrompt encoded = tokenizer.EncodeForModel(prompt);
        Assert.True(encoded.Truncated);
        Assert.Equal(80 + 4 + 2, encoded.UntruncatedLength);
        Assert.Equal(77, encoded.InputIds.Length);
        Assert.Equal(tokenizer.BosTokenId, encoded.InputIds[0]);
        Assert.Equal(tokenizer.EosTokenId, encoded.InputIds[76]);
        Assert.All(encoded.AttentionMask, m => Assert.Equal(1, m));
        Assert.Equal(9, encoded.DroppedTokenIds.Count);
        Assert.Equal("cat cat cat cat cat with a colossal waterfall", encoded.DroppedText);
    }

    [SkippableFact]
    public void AWordCutByTruncationIsReportedWhole()
    {
        ClipTokenizer tokenizer = ReferenceTokenizer.Sd1;
        // 74 one-token words, then a word of several tokens that straddles position 75.
        string prompt = string.Join(" ", Enumerable.Repeat("cat", 74)) + " supercalifragilisticexpialidocious dog";
        int[] ids = tokenizer.Encode(prompt);
        Assert.True(ids.Length > 77);
        TokenizedPrompt encoded = tokenizer.EncodeForModel(prompt);
        Assert.Equal("supercalifragilisticexpialidocious dog", encoded.DroppedText);
        Assert.Equal(ids.Length - 75, encoded.DroppedTokenIds.Count);
    }

    [SkippableFact]
    public void ShortPromptsArePaddedAndNotTruncated()
    {
        ClipTokenizer tokenizer = ReferenceTokenizer.Sd1;
        TokenizedPrompt empty = tokenizer.EncodeForModel("");
        Assert.Equal(new[] { 49406 }.Concat(Enumerable.Repeat(49407, 76)), empty.InputIds);
        Assert.Equal(new[] { 1, 1 }.Concat(Enumerable.Repeat(0, 75)), empty.AttentionMask);
        Assert.False(empty.Truncated);
        Assert.Empty(empty.DroppedTokenIds);
        Assert.Equal("", empty.DroppedText);

        TokenizedPrompt shortForm = tokenizer.EncodeForModel("a cat", maxLength: 8);
        Assert.Equal(8, shortForm.InputIds.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.EncodeForModel("a cat", maxLength: 1));
    }

    [SkippableFact]
    public void LiteralSpecialTokensAreTheSpecialIds()
    {
        ClipTokenizer tokenizer = ReferenceTokenizer.Sd1;
        Assert.Equal(new[] { 49406, 320, 49407 }, tokenizer.Encode("<|startoftext|>a<|endoftext|>"));
        Assert.Equal(tokenizer.Encode("<|endoftext|>"), tokenizer.Encode("<|ENDOFTEXT|>"));   // cleaned to lowercase, then the pattern's literal
        Assert.Equal("a", tokenizer.Decode(tokenizer.Encode("<|startoftext|>a<|endoftext|>")));
        Assert.Equal("<|startoftext|>a <|endoftext|>", tokenizer.Decode(tokenizer.Encode("<|startoftext|>a<|endoftext|>"), skipSpecialTokens: false));
    }

    [SkippableFact]
    public void ExposesTheConfiguredSpecialTokens()
    {
        ClipTokenizer sd1 = ReferenceTokenizer.Sd1, sd2 = ReferenceTokenizer.Sd2;
        Assert.Equal((49408, 49406, 49407, 49407, 77), (sd1.VocabularySize, sd1.BosTokenId, sd1.EosTokenId, sd1.PadTokenId, sd1.MaxLength));
        Assert.Equal(0, sd2.PadTokenId);
        Assert.Equal("!", sd2.IdToToken(0));
        Assert.Equal("photo</w>", sd1.IdToToken(1125));
        Assert.True(sd1.TryGetTokenId("photo</w>", out int id) && id == 1125);
        Assert.Throws<ArgumentOutOfRangeException>(() => sd1.IdToToken(49408));
    }

    [SkippableFact]
    public void DecodeReplacesBrokenUtf8AndKeepsMultiByteCharacters()
    {
        ClipTokenizer tokenizer = ReferenceTokenizer.Sd1;
        int[] cafe = tokenizer.Encode("café 🎉");
        Assert.Equal("café 🎉", tokenizer.Decode(cafe));
        // "ðŁİī</w>" is the whole emoji; its first byte alone ("ð") is not valid UTF-8.
        Assert.True(tokenizer.TryGetTokenId("ð", out int lead));
        Assert.Equal("\uFFFD", tokenizer.Decode([lead]));
    }

    [SkippableFact]
    public void IsSafeToUseFromManyThreads()
    {
        ClipTokenizer tokenizer = ReferenceTokenizer.Sd1;
        var cases = ReferenceTokenizer.Cases();
        Parallel.For(0, 400, i =>
        {
            var c = cases[i % cases.Count];
            Assert.Equal(c.InputIds, tokenizer.EncodeForModel(c.Prompt).InputIds);
        });
    }
}
