namespace Atelier.Formats.Checkpoints;

/// <summary>
/// <c>text_encoder/config.json</c> of a transformers <c>CLIPTextModel</c> (<c>CLIPTextConfig</c>), with the defaults
/// of transformers 4.45's <c>CLIPTextConfig.__init__</c>. SD 1.x uses openai/clip-vit-large-patch14's text tower
/// (768 wide, 12 layers, 12 heads, quick_gelu); SD 2.x an OpenCLIP ViT-H tower cut to 23 layers, with gelu.
/// </summary>
public sealed record ClipTextConfig
{
    public int VocabSize { get; init; } = 49408;
    public int HiddenSize { get; init; } = 512;
    public int IntermediateSize { get; init; } = 2048;
    public int ProjectionDim { get; init; } = 512;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 8;
    public int MaxPositionEmbeddings { get; init; } = 77;

    /// <summary><c>quick_gelu</c> (x·sigmoid(1.702x), SD 1.x) or <c>gelu</c> (exact erf GELU, SD 2.x); <c>gelu_new</c>/<c>gelu_pytorch_tanh</c> are the tanh approximation.</summary>
    public string HiddenAct { get; init; } = "quick_gelu";
    public double LayerNormEps { get; init; } = 1e-5;
    public double AttentionDropout { get; init; }
    public double Dropout { get; init; }
    public double InitializerRange { get; init; } = 0.02;
    public double InitializerFactor { get; init; } = 1.0;
    public int? PadTokenId { get; init; } = 1;
    public int? BosTokenId { get; init; } = 49406;

    /// <summary>2 in SD 1.5's config: transformers then pools at argmax(input_ids) (gotcha G6).</summary>
    public int? EosTokenId { get; init; } = 49407;
    public ValueArray<string>? Architectures { get; init; }
    public string ModelType { get; init; } = "clip_text_model";

    /// <summary>The dtype the weights were saved in ("float32", "float16"), informational.</summary>
    public string? TorchDtype { get; init; }

    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>PretrainedConfig fields that transformers writes into every config; known, not typed, never warned about.</summary>
    internal static readonly IReadOnlySet<string> GenericTransformersFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "return_dict", "output_hidden_states", "output_attentions", "torchscript", "use_bfloat16", "tf_legacy_loss", "pruned_heads",
        "tie_word_embeddings", "chunk_size_feed_forward", "is_encoder_decoder", "is_decoder", "cross_attention_hidden_size",
        "add_cross_attention", "tie_encoder_decoder", "max_length", "min_length", "do_sample", "early_stopping", "num_beams",
        "num_beam_groups", "diversity_penalty", "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty",
        "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
        "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
        "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens", "finetuning_task", "id2label", "label2id",
        "tokenizer_class", "prefix", "sep_token_id", "decoder_start_token_id", "task_specific_params", "problem_type",
    };

    public static LoadedConfig<ClipTextConfig> Load(string path)
    {
        var reader = ConfigReader.Load(path);
        return LoadedConfig<ClipTextConfig>.From(reader, Read(reader), nameof(ClipTextConfig), silent: GenericTransformersFields);
    }

    internal static ClipTextConfig Read(ConfigReader r)
    {
        r.Known("_name_or_path", "transformers_version", "_commit_hash", "_attn_implementation_autoset");
        var d = new ClipTextConfig();
        var config = new ClipTextConfig
        {
            VocabSize = r.Int("vocab_size", d.VocabSize),
            HiddenSize = r.Int("hidden_size", d.HiddenSize),
            IntermediateSize = r.Int("intermediate_size", d.IntermediateSize),
            ProjectionDim = r.Int("projection_dim", d.ProjectionDim),
            NumHiddenLayers = r.Int("num_hidden_layers", d.NumHiddenLayers),
            NumAttentionHeads = r.Int("num_attention_heads", d.NumAttentionHeads),
            MaxPositionEmbeddings = r.Int("max_position_embeddings", d.MaxPositionEmbeddings),
            HiddenAct = r.String("hidden_act", d.HiddenAct),
            LayerNormEps = r.Double("layer_norm_eps", d.LayerNormEps),
            AttentionDropout = r.Double("attention_dropout", d.AttentionDropout),
            Dropout = r.Double("dropout", d.Dropout),
            InitializerRange = r.Double("initializer_range", d.InitializerRange),
            InitializerFactor = r.Double("initializer_factor", d.InitializerFactor),
            PadTokenId = r.NullableInt("pad_token_id", d.PadTokenId),
            BosTokenId = r.NullableInt("bos_token_id", d.BosTokenId),
            EosTokenId = r.NullableInt("eos_token_id", d.EosTokenId),
            Architectures = r.NullableStringList("architectures", d.Architectures),
            ModelType = r.String("model_type", d.ModelType),
            TorchDtype = r.NullableString("torch_dtype", d.TorchDtype),
        };
        if (config.ModelType != "clip_text_model")
            throw r.Error("model_type", $"expected \"clip_text_model\" (a CLIPTextConfig), found \"{config.ModelType}\".");
        config.Validate(r.Path);
        return config;
    }

    internal void Validate(string path)
    {
        if (HiddenSize <= 0 || NumAttentionHeads <= 0 || HiddenSize % NumAttentionHeads != 0)
            throw new CheckpointFormatException(path, "num_attention_heads", $"hidden_size {HiddenSize} must be a positive multiple of num_attention_heads {NumAttentionHeads}.");
        if (NumHiddenLayers <= 0)
            throw new CheckpointFormatException(path, "num_hidden_layers", $"must be positive, found {NumHiddenLayers}.");
        if (HiddenAct is not ("quick_gelu" or "gelu" or "gelu_new" or "gelu_pytorch_tanh"))
            throw new CheckpointFormatException(path, "hidden_act", $"expected quick_gelu, gelu, gelu_new or gelu_pytorch_tanh, found \"{HiddenAct}\".");
    }
}
