namespace Atelier.Formats.Checkpoints;

/// <summary>
/// <c>unet/config.json</c> of a diffusers <c>UNet2DConditionModel</c>: every field SD 1.x / 2.x / inpainting use,
/// with the defaults of diffusers 0.30's <c>UNet2DConditionModel.__init__</c> (which are SD 1.x-sized: 320..1280
/// channels, context 1280). Field names are the JSON names in PascalCase.
/// </summary>
public sealed record UNet2DConditionConfig
{
    public const string ClassName = "UNet2DConditionModel";

    public int? SampleSize { get; init; }
    public int InChannels { get; init; } = 4;
    public int OutChannels { get; init; } = 4;
    public bool CenterInputSample { get; init; }
    public bool FlipSinToCos { get; init; } = true;
    public int FreqShift { get; init; }
    public ValueArray<string> DownBlockTypes { get; init; } = new[] { "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D" };
    public string? MidBlockType { get; init; } = "UNetMidBlock2DCrossAttn";
    public ValueArray<string> UpBlockTypes { get; init; } = new[] { "UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D" };
    public bool OnlyCrossAttention { get; init; }
    public ValueArray<int> BlockOutChannels { get; init; } = new[] { 320, 640, 1280, 1280 };
    public IntOrList LayersPerBlock { get; init; } = 2;
    public int DownsamplePadding { get; init; } = 1;
    public double MidBlockScaleFactor { get; init; } = 1;
    public double Dropout { get; init; }
    public string ActFn { get; init; } = "silu";
    public int? NormNumGroups { get; init; } = 32;
    public double NormEps { get; init; } = 1e-5;
    public IntOrList CrossAttentionDim { get; init; } = 1280;
    public IntOrList TransformerLayersPerBlock { get; init; } = 1;
    public IntOrList? ReverseTransformerLayersPerBlock { get; init; }
    public int? EncoderHidDim { get; init; }
    public string? EncoderHidDimType { get; init; }

    /// <summary>Despite its name, the number of attention heads per block when <see cref="NumAttentionHeads"/> is null (diffusers' historic naming; gotcha G8).</summary>
    public IntOrList AttentionHeadDim { get; init; } = 8;
    public IntOrList? NumAttentionHeads { get; init; }
    public bool DualCrossAttention { get; init; }
    public bool UseLinearProjection { get; init; }
    public string? ClassEmbedType { get; init; }
    public string? AdditionEmbedType { get; init; }
    public int? AdditionTimeEmbedDim { get; init; }
    public int? NumClassEmbeds { get; init; }
    public bool UpcastAttention { get; init; }
    public string ResnetTimeScaleShift { get; init; } = "default";
    public bool ResnetSkipTimeAct { get; init; }
    public double ResnetOutScaleFactor { get; init; } = 1.0;
    public string TimeEmbeddingType { get; init; } = "positional";
    public int? TimeEmbeddingDim { get; init; }
    public string? TimeEmbeddingActFn { get; init; }
    public string? TimestepPostAct { get; init; }
    public int? TimeCondProjDim { get; init; }
    public int ConvInKernel { get; init; } = 3;
    public int ConvOutKernel { get; init; } = 3;
    public int? ProjectionClassEmbeddingsInputDim { get; init; }
    public string AttentionType { get; init; } = "default";
    public bool ClassEmbeddingsConcat { get; init; }
    public bool? MidBlockOnlyCrossAttention { get; init; }
    public string? CrossAttentionNorm { get; init; }
    public int AdditionEmbedTypeNumHeads { get; init; } = 64;

    /// <summary>Heads of each down block's attention (the mid block uses the last entry): <c>num_attention_heads or attention_head_dim</c>, as diffusers resolves it.</summary>
    public int[] HeadsPerBlock() => (NumAttentionHeads ?? AttentionHeadDim).PerBlock(BlockOutChannels.Count, NumAttentionHeads is null ? "attention_head_dim" : "num_attention_heads");

    /// <summary>Reads <c>config.json</c> of a UNet folder.</summary>
    public static LoadedConfig<UNet2DConditionConfig> Load(string path)
    {
        var reader = ConfigReader.Load(path);
        return LoadedConfig<UNet2DConditionConfig>.From(reader, Read(reader), nameof(UNet2DConditionConfig));
    }

    internal static UNet2DConditionConfig Read(ConfigReader r)
    {
        string className = r.RequiredString("_class_name");
        if (className != ClassName)
            throw r.Error("_class_name", $"expected \"{ClassName}\", found \"{className}\".");
        r.Known("_diffusers_version", "_name_or_path", "_use_default_values", "_commit_hash");
        var d = new UNet2DConditionConfig();
        var config = new UNet2DConditionConfig
        {
            SampleSize = r.NullableInt("sample_size", d.SampleSize),
            InChannels = r.Int("in_channels", d.InChannels),
            OutChannels = r.Int("out_channels", d.OutChannels),
            CenterInputSample = r.Bool("center_input_sample", d.CenterInputSample),
            FlipSinToCos = r.Bool("flip_sin_to_cos", d.FlipSinToCos),
            FreqShift = r.Int("freq_shift", d.FreqShift),
            DownBlockTypes = r.StringList("down_block_types", d.DownBlockTypes),
            MidBlockType = r.NullableString("mid_block_type", d.MidBlockType),
            UpBlockTypes = r.StringList("up_block_types", d.UpBlockTypes),
            OnlyCrossAttention = r.Bool("only_cross_attention", d.OnlyCrossAttention),
            BlockOutChannels = r.IntList("block_out_channels", d.BlockOutChannels),
            LayersPerBlock = r.IntOrList("layers_per_block", d.LayersPerBlock),
            DownsamplePadding = r.Int("downsample_padding", d.DownsamplePadding),
            MidBlockScaleFactor = r.Double("mid_block_scale_factor", d.MidBlockScaleFactor),
            Dropout = r.Double("dropout", d.Dropout),
            ActFn = r.String("act_fn", d.ActFn),
            NormNumGroups = r.NullableInt("norm_num_groups", d.NormNumGroups),
            NormEps = r.Double("norm_eps", d.NormEps),
            CrossAttentionDim = r.IntOrList("cross_attention_dim", d.CrossAttentionDim),
            TransformerLayersPerBlock = r.IntOrList("transformer_layers_per_block", d.TransformerLayersPerBlock),
            ReverseTransformerLayersPerBlock = r.NullableIntOrList("reverse_transformer_layers_per_block", d.ReverseTransformerLayersPerBlock),
            EncoderHidDim = r.NullableInt("encoder_hid_dim", d.EncoderHidDim),
            EncoderHidDimType = r.NullableString("encoder_hid_dim_type", d.EncoderHidDimType),
            AttentionHeadDim = r.IntOrList("attention_head_dim", d.AttentionHeadDim),
            NumAttentionHeads = r.NullableIntOrList("num_attention_heads", d.NumAttentionHeads),
            DualCrossAttention = r.Bool("dual_cross_attention", d.DualCrossAttention),
            UseLinearProjection = r.Bool("use_linear_projection", d.UseLinearProjection),
            ClassEmbedType = r.NullableString("class_embed_type", d.ClassEmbedType),
            AdditionEmbedType = r.NullableString("addition_embed_type", d.AdditionEmbedType),
            AdditionTimeEmbedDim = r.NullableInt("addition_time_embed_dim", d.AdditionTimeEmbedDim),
            NumClassEmbeds = r.NullableInt("num_class_embeds", d.NumClassEmbeds),
            UpcastAttention = r.Bool("upcast_attention", d.UpcastAttention),
            ResnetTimeScaleShift = r.String("resnet_time_scale_shift", d.ResnetTimeScaleShift),
            ResnetSkipTimeAct = r.Bool("resnet_skip_time_act", d.ResnetSkipTimeAct),
            ResnetOutScaleFactor = r.Double("resnet_out_scale_factor", d.ResnetOutScaleFactor),
            TimeEmbeddingType = r.String("time_embedding_type", d.TimeEmbeddingType),
            TimeEmbeddingDim = r.NullableInt("time_embedding_dim", d.TimeEmbeddingDim),
            TimeEmbeddingActFn = r.NullableString("time_embedding_act_fn", d.TimeEmbeddingActFn),
            TimestepPostAct = r.NullableString("timestep_post_act", d.TimestepPostAct),
            TimeCondProjDim = r.NullableInt("time_cond_proj_dim", d.TimeCondProjDim),
            ConvInKernel = r.Int("conv_in_kernel", d.ConvInKernel),
            ConvOutKernel = r.Int("conv_out_kernel", d.ConvOutKernel),
            ProjectionClassEmbeddingsInputDim = r.NullableInt("projection_class_embeddings_input_dim", d.ProjectionClassEmbeddingsInputDim),
            AttentionType = r.String("attention_type", d.AttentionType),
            ClassEmbeddingsConcat = r.Bool("class_embeddings_concat", d.ClassEmbeddingsConcat),
            MidBlockOnlyCrossAttention = r.NullableBool("mid_block_only_cross_attention", d.MidBlockOnlyCrossAttention),
            CrossAttentionNorm = r.NullableString("cross_attention_norm", d.CrossAttentionNorm),
            AdditionEmbedTypeNumHeads = r.Int("addition_embed_type_num_heads", d.AdditionEmbedTypeNumHeads),
        };
        config.Validate(r.Path);
        return config;
    }

    /// <summary>The per-block lists must agree with each other (diffusers checks the same in <c>_check_config</c>).</summary>
    internal void Validate(string path)
    {
        int blocks = BlockOutChannels.Count;
        if (blocks == 0)
            throw new CheckpointFormatException(path, "block_out_channels", "expected at least one block.");
        if (DownBlockTypes.Count != blocks)
            throw new CheckpointFormatException(path, "down_block_types", $"lists {DownBlockTypes.Count} blocks but block_out_channels lists {blocks}.");
        if (UpBlockTypes.Count != blocks)
            throw new CheckpointFormatException(path, "up_block_types", $"lists {UpBlockTypes.Count} blocks but down_block_types lists {blocks}.");
        CheckPerBlock(path, "layers_per_block", LayersPerBlock, blocks);
        CheckPerBlock(path, "cross_attention_dim", CrossAttentionDim, blocks);
        CheckPerBlock(path, "transformer_layers_per_block", TransformerLayersPerBlock, blocks);
        CheckPerBlock(path, "attention_head_dim", AttentionHeadDim, blocks);
        if (NumAttentionHeads is not null)
            CheckPerBlock(path, "num_attention_heads", NumAttentionHeads, blocks);
        foreach (int channels in BlockOutChannels)
        {
            if (channels <= 0)
                throw new CheckpointFormatException(path, "block_out_channels", $"channel counts must be positive, found {BlockOutChannels}.");
        }
        if (InChannels <= 0 || OutChannels <= 0)
            throw new CheckpointFormatException(path, InChannels <= 0 ? "in_channels" : "out_channels", "must be positive.");
    }

    private static void CheckPerBlock(string path, string field, IntOrList value, int blocks)
    {
        if (value.List is { } list && list.Count != blocks)
            throw new CheckpointFormatException(path, field, $"lists {list.Count} values but the UNet has {blocks} blocks (block_out_channels).");
        foreach (int item in value.List ?? new[] { value.Scalar!.Value })
        {
            if (item <= 0)
                throw new CheckpointFormatException(path, field, $"values must be positive, found {value}.");
        }
    }
}
