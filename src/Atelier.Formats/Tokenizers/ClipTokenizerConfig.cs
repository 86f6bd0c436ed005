using System.Text.Json;

namespace Atelier.Formats.Tokenizers;

/// <summary>
/// The special tokens and the length a CLIP tokenizer folder declares. <c>tokenizer_config.json</c> is read first,
/// <c>special_tokens_map.json</c> overrides it (as transformers does); a token is given either as a string or as an
/// object with a <c>content</c> field. Missing entries take transformers' CLIPTokenizer defaults. SD 1.x folders pad
/// with <c>&lt;|endoftext|&gt;</c>, SD 2.x folders with <c>!</c> (id 0).
/// </summary>
public sealed record ClipTokenizerConfig
{
    public const string TokenizerConfigFileName = "tokenizer_config.json";
    public const string SpecialTokensMapFileName = "special_tokens_map.json";

    /// <summary>Defaults of transformers' CLIPTokenizer; 77 = CLIP's text positions.</summary>
    public static ClipTokenizerConfig Default { get; } = new();

    public string BosToken { get; init; } = "<|startoftext|>";
    public string EosToken { get; init; } = "<|endoftext|>";
    public string UnkToken { get; init; } = "<|endoftext|>";
    public string PadToken { get; init; } = "<|endoftext|>";
    public int ModelMaxLength { get; init; } = 77;

    /// <summary>Reads the two optional config files (null = absent) on top of <see cref="Default"/>.</summary>
    public static ClipTokenizerConfig Read(Stream? tokenizerConfig, Stream? specialTokensMap,
        string tokenizerConfigName = TokenizerConfigFileName, string specialTokensMapName = SpecialTokensMapFileName)
    {
        ClipTokenizerConfig config = Default;
        if (tokenizerConfig is not null)
            config = config.Apply(tokenizerConfig, tokenizerConfigName, readLength: true);
        if (specialTokensMap is not null)
            config = config.Apply(specialTokensMap, specialTokensMapName, readLength: false);
        return config;
    }

    /// <summary>The minimal tokenizer_config.json our BPE trainer writes (enough for this class and for transformers).</summary>
    public void Write(Stream stream)
    {
        var builder = new System.Text.StringBuilder();
        builder.Append("{\n");
        AppendField("tokenizer_class", "CLIPTokenizer");
        AppendField("bos_token", BosToken);
        AppendField("eos_token", EosToken);
        AppendField("unk_token", UnkToken);
        AppendField("pad_token", PadToken);
        builder.Append("  \"do_lower_case\": true,\n");
        builder.Append("  \"model_max_length\": ").Append(ModelMaxLength).Append('\n');
        builder.Append("}\n");
        stream.Write(new System.Text.UTF8Encoding(false).GetBytes(builder.ToString()));

        void AppendField(string name, string value)
        {
            builder.Append("  \"").Append(name).Append("\": ");
            BpeFiles.AppendJsonString(builder, value);
            builder.Append(",\n");
        }
    }

    private ClipTokenizerConfig Apply(Stream stream, string name, bool readLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(name, (e.LineNumber ?? 0) + 1, $"not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException(name, null, $"expected a JSON object, found a JSON {root.ValueKind}");
            ClipTokenizerConfig config = this with
            {
                BosToken = TokenOrDefault(root, "bos_token", BosToken, name),
                EosToken = TokenOrDefault(root, "eos_token", EosToken, name),
                UnkToken = TokenOrDefault(root, "unk_token", UnkToken, name),
                PadToken = TokenOrDefault(root, "pad_token", PadToken, name),
            };
            if (readLength && root.TryGetProperty("model_max_length", out JsonElement length))
            {
                if (length.ValueKind != JsonValueKind.Number || !length.TryGetInt32(out int value) || value < 2 || value > 1 << 16)
                    throw new TokenizerFormatException(name, null,
                        $"model_max_length is {length.GetRawText()}; expected the text encoder's position count (77 for CLIP). transformers writes 1e30 when the length is unset, which cannot drive truncation");
                config = config with { ModelMaxLength = value };
            }
            return config;
        }
    }

    private static string TokenOrDefault(JsonElement root, string field, string fallback, string name)
    {
        if (!root.TryGetProperty(field, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            return fallback;
        if (value.ValueKind == JsonValueKind.String)
            return NonEmpty(value.GetString()!);
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String)
            return NonEmpty(content.GetString()!);
        throw new TokenizerFormatException(name, null,
            $"{field} is {value.GetRawText()}; expected a string or an object with a string \"content\"");

        string NonEmpty(string token) => token.Length > 0 ? token
            : throw new TokenizerFormatException(name, null, $"{field} is the empty string; expected a token of the vocabulary");
    }
}
