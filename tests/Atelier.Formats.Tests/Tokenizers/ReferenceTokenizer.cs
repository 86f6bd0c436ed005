using System.Text.Json;
using Atelier.Formats.Tokenizers;
using Atelier.TestSupport;

namespace Atelier.Formats.Tests.Tokenizers;

/// <summary>The real CLIP tokenizer files and the 43-prompt fixture from ../shared/reference (tests skip without them).</summary>
internal static class ReferenceTokenizer
{
    private static readonly Lazy<ClipTokenizer> s_sd1 = new(() => ClipTokenizer.FromDirectory(Directory));
    private static readonly Lazy<ClipTokenizer> s_sd2 = new(LoadSd2);

    public static string Directory => SharedData.Require("reference/tiny-sd/tokenizer");

    /// <summary>SD 1.x: the folder as shipped (pad = &lt;|endoftext|&gt;).</summary>
    public static ClipTokenizer Sd1
    {
        get
        {
            _ = Directory;
            return s_sd1.Value;
        }
    }

    /// <summary>SD 2.x: the same files with the SD 2 tokenizer_config (pad_token "!"), read through the config path.</summary>
    public static ClipTokenizer Sd2
    {
        get
        {
            _ = Directory;
            return s_sd2.Value;
        }
    }

    public static IReadOnlyList<Case> Cases()
    {
        string path = SharedData.Require("reference/tiny-sd-expected/tokenizer.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = new List<Case>();
        foreach (JsonElement c in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            cases.Add(new Case(
                c.GetProperty("prompt").GetString()!,
                Ints(c, "input_ids"),
                Ints(c, "attention_mask"),
                c.GetProperty("length_untruncated").GetInt32(),
                c.GetProperty("truncated").GetBoolean(),
                c.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToArray(),
                Ints(c, "input_ids_pad_bang"),
                c.GetProperty("agrees_with_openai_clip").GetBoolean()));
        }
        return cases;
    }

    private static int[] Ints(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static ClipTokenizer LoadSd2()
    {
        // The SD 2.x tokenizer_config.json differs from SD 1.x only in "pad_token": "!" (stabilityai/stable-diffusion-2-1).
        string config = File.ReadAllText(Path.Combine(Directory, "tokenizer_config.json"))
            .Replace("\"pad_token\": \"<|endoftext|>\"", "\"pad_token\": \"!\"", StringComparison.Ordinal);
        Assert.Contains("\"pad_token\": \"!\"", config);
        using var vocab = File.OpenRead(Path.Combine(Directory, "vocab.json"));
        using var merges = File.OpenRead(Path.Combine(Directory, "merges.txt"));
        using var configStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(config));
        return ClipTokenizer.FromStreams(vocab, merges, configStream);
    }

    public sealed record Case(string Prompt, int[] InputIds, int[] AttentionMask, int LengthUntruncated, bool Truncated,
        string[] Tokens, int[] InputIdsPadBang, bool AgreesWithOpenAi);
}
