namespace Atelier.Formats.Checkpoints;

/// <summary>
/// <c>vae/config.json</c> of a diffusers <c>AutoencoderKL</c>, with the defaults of diffusers 0.30's
/// <c>AutoencoderKL.__init__</c> (a one-level 64-channel autoencoder; SD's config overrides nearly all of them).
/// </summary>
public sealed record AutoencoderKLConfig
{
    public const string ClassName = "AutoencoderKL";

    public int InChannels { get; init; } = 3;
    public int OutChannels { get; init; } = 3;
    public ValueArray<string> DownBlockTypes { get; init; } = new[] { "DownEncoderBlock2D" };
    public ValueArray<string> UpBlockTypes { get; init; } = new[] { "UpDecoderBlock2D" };
    public ValueArray<int> BlockOutChannels { get; init; } = new[] { 64 };
    public int LayersPerBlock { get; init; } = 1;
    public string ActFn { get; init; } = "silu";
    public int LatentChannels { get; init; } = 4;
    public int NormNumGroups { get; init; } = 32;
    public int SampleSize { get; init; } = 32;

    /// <summary>Latents for the UNet = scaling_factor × VAE sample (0.18215 for SD 1.x/2.x; gotcha G21).</summary>
    public double ScalingFactor { get; init; } = 0.18215;
    public double? ShiftFactor { get; init; }
    public ValueArray<double>? LatentsMean { get; init; }
    public ValueArray<double>? LatentsStd { get; init; }
    public bool ForceUpcast { get; init; } = true;
    public bool UseQuantConv { get; init; } = true;
    public bool UsePostQuantConv { get; init; } = true;
    public bool MidBlockAddAttention { get; init; } = true;

    /// <summary>Pixels per latent along each axis: 2^(levels − 1) (8 for SD, 2 for the tiny fixture).</summary>
    public int SpatialScaleFactor => 1 << (BlockOutChannels.Count - 1);

    public static LoadedConfig<AutoencoderKLConfig> Load(string path)
    {
        var reader = ConfigReader.Load(path);
        return LoadedConfig<AutoencoderKLConfig>.From(reader, Read(reader), nameof(AutoencoderKLConfig));
    }

    internal static AutoencoderKLConfig Read(ConfigReader r)
    {
        string className = r.RequiredString("_class_name");
        if (className != ClassName)
            throw r.Error("_class_name", $"expected \"{ClassName}\", found \"{className}\".");
        r.Known("_diffusers_version", "_name_or_path", "_use_default_values", "_commit_hash");
        var d = new AutoencoderKLConfig();
        var config = new AutoencoderKLConfig
        {
            InChannels = r.Int("in_channels", d.InChannels),
            OutChannels = r.Int("out_channels", d.OutChannels),
            DownBlockTypes = r.StringList("down_block_types", d.DownBlockTypes),
            UpBlockTypes = r.StringList("up_block_types", d.UpBlockTypes),
            BlockOutChannels = r.IntList("block_out_channels", d.BlockOutChannels),
            LayersPerBlock = r.Int("layers_per_block", d.LayersPerBlock),
            ActFn = r.String("act_fn", d.ActFn),
            LatentChannels = r.Int("latent_channels", d.LatentChannels),
            NormNumGroups = r.Int("norm_num_groups", d.NormNumGroups),
            SampleSize = r.Int("sample_size", d.SampleSize),
            ScalingFactor = r.Double("scaling_factor", d.ScalingFactor),
            ShiftFactor = r.NullableDouble("shift_factor", d.ShiftFactor),
            LatentsMean = r.NullableDoubleList("latents_mean", d.LatentsMean),
            LatentsStd = r.NullableDoubleList("latents_std", d.LatentsStd),
            ForceUpcast = r.Bool("force_upcast", d.ForceUpcast),
            UseQuantConv = r.Bool("use_quant_conv", d.UseQuantConv),
            UsePostQuantConv = r.Bool("use_post_quant_conv", d.UsePostQuantConv),
            MidBlockAddAttention = r.Bool("mid_block_add_attention", d.MidBlockAddAttention),
        };
        config.Validate(r.Path);
        return config;
    }

    internal void Validate(string path)
    {
        int blocks = BlockOutChannels.Count;
        if (blocks == 0)
            throw new CheckpointFormatException(path, "block_out_channels", "expected at least one block.");
        if (DownBlockTypes.Count != blocks)
            throw new CheckpointFormatException(path, "down_block_types", $"lists {DownBlockTypes.Count} blocks but block_out_channels lists {blocks}.");
        if (UpBlockTypes.Count != blocks)
            throw new CheckpointFormatException(path, "up_block_types", $"lists {UpBlockTypes.Count} blocks but block_out_channels lists {blocks}.");
        if (LayersPerBlock <= 0)
            throw new CheckpointFormatException(path, "layers_per_block", $"must be positive, found {LayersPerBlock}.");
        if (LatentChannels <= 0)
            throw new CheckpointFormatException(path, "latent_channels", $"must be positive, found {LatentChannels}.");
    }
}
