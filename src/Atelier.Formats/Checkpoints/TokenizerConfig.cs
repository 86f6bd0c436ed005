namespace Atelier.Formats.Checkpoints;

/// <summary>
/// The <c>tokenizer/</c> folder of a diffusers model: <c>tokenizer_config.json</c> (a transformers
/// <c>CLIPTokenizer</c>), the special tokens, and where the BPE files are. Defaults are CLIPTokenizer's.
/// Tokens given in <c>special_tokens_map.json</c> override those of <c>tokenizer_config.json</c>, as transformers
/// applies them when loading — which is how SD 2.x tokenizers pad with <c>!</c> (gotcha G3).
/// </summary>
public sealed record TokenizerConfig
{
    public string TokenizerClass { get; init; } = "CLIPTokenizer";

    /// <summary>77 for CLIP; null when the file says "no limit" (transformers writes 1e30).</summary>
    public int? ModelMaxLength { get; init; }
    public bool DoLowerCase { get; init; } = true;
    public string? BosToken { get; init; } = "<|startoftext|>";
    public string? EosToken { get; init; } = "<|endoftext|>";
    public string? UnkToken { get; init; } = "<|endoftext|>";
    public string? PadToken { get; init; } = "<|endoftext|>";
    public string Errors { get; init; } = "replace";
    public bool AddPrefixSpace { get; init; }
    public bool? CleanUpTokenizationSpaces { get; init; }

    /// <summary><c>vocab.json</c> beside the config.</summary>
    public string VocabFile { get; init; } = "";

    /// <summary><c>merges.txt</c> beside the config.</summary>
    public string MergesFile { get; init; } = "";

    /// <summary>Reads a tokenizer folder; <c>vocab.json</c> and <c>merges.txt</c> must exist.</summary>
    public static LoadedConfig<TokenizerConfig> Load(string folder)
    {
        string configPath = Path.Combine(folder, "tokenizer_config.json");
        var reader = ConfigReader.Load(configPath);
        reader.Known("name_or_path", "_name_or_path", "special_tokens_map_file", "added_tokens_decoder", "model_input_names", "padding_side", "truncation_side");
        var d = new TokenizerConfig();
        var config = new TokenizerConfig
        {
            TokenizerClass = reader.String("tokenizer_class", d.TokenizerClass),
            ModelMaxLength = reader.BoundedInt("model_max_length", d.ModelMaxLength),
            DoLowerCase = reader.Bool("do_lower_case", d.DoLowerCase),
            BosToken = reader.Token("bos_token", d.BosToken),
            EosToken = reader.Token("eos_token", d.EosToken),
            UnkToken = reader.Token("unk_token", d.UnkToken),
            PadToken = reader.Token("pad_token", d.PadToken),
            Errors = reader.String("errors", d.Errors),
            AddPrefixSpace = reader.Bool("add_prefix_space", d.AddPrefixSpace),
            CleanUpTokenizationSpaces = reader.NullableBool("clean_up_tokenization_spaces", d.CleanUpTokenizationSpaces),
            VocabFile = RequireFile(folder, "vocab.json", configPath),
            MergesFile = RequireFile(folder, "merges.txt", configPath),
        };
        if (config.TokenizerClass is not ("CLIPTokenizer" or "CLIPTokenizerFast"))
            throw reader.Error("tokenizer_class", $"expected CLIPTokenizer or CLIPTokenizerFast, found \"{config.TokenizerClass}\".");

        var warnings = new List<string>();
        string mapPath = Path.Combine(folder, "special_tokens_map.json");
        if (File.Exists(mapPath))
        {
            var map = ConfigReader.Load(mapPath);
            config = config with
            {
                BosToken = map.Has("bos_token") ? map.Token("bos_token", null) : config.BosToken,
                EosToken = map.Has("eos_token") ? map.Token("eos_token", null) : config.EosToken,
                UnkToken = map.Has("unk_token") ? map.Token("unk_token", null) : config.UnkToken,
                PadToken = map.Has("pad_token") ? map.Token("pad_token", null) : config.PadToken,
            };
            foreach (string name in map.Unread().Keys)
                warnings.Add($"{mapPath}: entry '{name}' is not a token Atelier's CLIP tokenizer uses; ignored.");
        }
        return LoadedConfig<TokenizerConfig>.From(reader, config, nameof(TokenizerConfig), warnings);
    }

    private static string RequireFile(string folder, string name, string configPath)
    {
        string path = Path.Combine(folder, name);
        if (!File.Exists(path))
            throw new CheckpointFormatException(configPath, null, $"the tokenizer folder lacks {name} (CLIP BPE needs vocab.json and merges.txt).");
        return path;
    }
}
