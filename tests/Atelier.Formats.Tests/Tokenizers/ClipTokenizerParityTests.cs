using Atelier.Formats.Tokenizers;

namespace Atelier.Formats.Tests.Tokenizers;

/// <summary>Every fixture prompt against transformers' CLIPTokenizer (with ftfy): ids, mask, tokens, lengths, SD 2 padding.</summary>
public class ClipTokenizerParityTests
{
    [SkippableFact]
    public void InputIdsMatchTheReferenceForEveryPrompt()
    {
        var cases = ReferenceTokenizer.Cases();
        Assert.Equal(43, cases.Count);
        var failures = new List<string>();
        foreach (var c in cases)
        {
            TokenizedPrompt actual = ReferenceTokenizer.Sd1.EncodeForModel(c.Prompt);
            Compare(failures, c.Prompt, "input_ids", c.InputIds, actual.InputIds);
            Compare(failures, c.Prompt, "attention_mask", c.AttentionMask, actual.AttentionMask);
            if (actual.UntruncatedLength != c.LengthUntruncated)
                failures.Add($"{Show(c.Prompt)}: length_untruncated {actual.UntruncatedLength}, expected {c.LengthUntruncated}");
            if (actual.Truncated != c.Truncated)
                failures.Add($"{Show(c.Prompt)}: truncated {actual.Truncated}, expected {c.Truncated}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SkippableFact]
    public void TokensMatchTheReferenceForEveryPrompt()
    {
        var failures = new List<string>();
        foreach (var c in ReferenceTokenizer.Cases())
        {
            ClipTokenizer tokenizer = ReferenceTokenizer.Sd1;
            // The fixture's tokens are the strings of [bos] + ids + [eos], untruncated, cut to 77.
            string[] actual = new[] { "<|startoftext|>" }.Concat(tokenizer.Tokenize(c.Prompt)).Append("<|endoftext|>").Take(77).ToArray();
            Compare(failures, c.Prompt, "tokens", c.Tokens, actual);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SkippableFact]
    public void Sd2PaddingAndBangTokenMatchTheReference()
    {
        var failures = new List<string>();
        ClipTokenizer sd2 = ReferenceTokenizer.Sd2;
        Assert.Equal(0, sd2.PadTokenId);
        foreach (var c in ReferenceTokenizer.Cases())
            Compare(failures, c.Prompt, "input_ids_pad_bang", c.InputIdsPadBang, sd2.EncodeForModel(c.Prompt).InputIds);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [SkippableFact]
    public void WhereOpenAiClipDiffersWeFollowTransformers()
    {
        // openai/CLIP html-unescapes unconditionally; ftfy (and so transformers) leaves entities alone once the text
        // holds a literal '<'. The fixture marks exactly those prompts; input_ids (transformers) is our reference.
        var disagreeing = ReferenceTokenizer.Cases().Where(c => !c.AgreesWithOpenAi).ToArray();
        Assert.Equal(new[] { "<b>Tom &amp; Jerry</b>", "x < y &amp; z" }, disagreeing.Select(c => c.Prompt));
        foreach (var c in disagreeing)
        {
            Assert.Contains("&", ReferenceTokenizer.Sd1.Tokenize(c.Prompt).Select(t => t.Replace("</w>", "")));
            Assert.Equal(c.InputIds, ReferenceTokenizer.Sd1.EncodeForModel(c.Prompt).InputIds);
        }
    }

    private static void Compare<T>(List<string> failures, string prompt, string field, IReadOnlyList<T> expected, IReadOnlyList<T> actual)
    {
        int n = Math.Min(expected.Count, actual.Count);
        for (int i = 0; i < n; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(expected[i], actual[i]))
            {
                failures.Add($"{Show(prompt)}: {field}[{i}] is {actual[i]}, expected {expected[i]} (expected {Window(expected, i)}, got {Window(actual, i)})");
                return;
            }
        }
        if (expected.Count != actual.Count)
            failures.Add($"{Show(prompt)}: {field} has {actual.Count} entries, expected {expected.Count}");
    }

    private static string Window<T>(IReadOnlyList<T> values, int at)
        => "[" + string.Join(", ", values.Skip(Math.Max(0, at - 2)).Take(5)) + "]";

    internal static string Show(string prompt)
    {
        string escaped = string.Concat(prompt.Select(ch => ch < ' ' ? $"\\u{(int)ch:x4}" : ch.ToString()));
        return "\"" + (escaped.Length > 60 ? escaped[..60] + "…" : escaped) + "\"";
    }
}
