using System.Text;
using Atelier.Formats.Tokenizers;

namespace Atelier.Formats.Tests.Tokenizers;

/// <summary>Hand-made vocab.json / merges.txt contents in CLIP's layout, for loading tests.</summary>
internal static class TestVocabulary
{
    /// <summary>The 512 byte symbols in CLIP order, then each merge's result, then bos and eos.</summary>
    public static List<string> Tokens(params (string Left, string Right)[] merges)
    {
        var tokens = ByteLevelAlphabet.Order.Select(b => ByteLevelAlphabet.ToChar(b).ToString()).ToList();
        tokens.AddRange(ByteLevelAlphabet.Order.Select(b => ByteLevelAlphabet.ToChar(b) + "</w>"));
        foreach ((string left, string right) in merges)
            if (!tokens.Contains(left + right))
                tokens.Add(left + right);
        tokens.Add("<|startoftext|>");
        tokens.Add("<|endoftext|>");
        return tokens;
    }

    public static string VocabJson(IReadOnlyList<string> tokens)
    {
        using var stream = new MemoryStream();
        BpeFiles.WriteVocab(stream, tokens);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string MergesTxt(params (string Left, string Right)[] merges)
        => "#version: 0.2\n" + string.Concat(merges.Select(m => $"{m.Left} {m.Right}\n"));

    public static ClipTokenizer Load(string vocabJson, string mergesTxt, string? tokenizerConfig = null)
    {
        using var vocab = new MemoryStream(Encoding.UTF8.GetBytes(vocabJson));
        using var merges = new MemoryStream(Encoding.UTF8.GetBytes(mergesTxt));
        using var config = tokenizerConfig is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(tokenizerConfig));
        return ClipTokenizer.FromStreams(vocab, merges, config);
    }
}
