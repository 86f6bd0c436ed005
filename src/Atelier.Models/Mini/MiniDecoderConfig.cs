using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atelier.Models.Mini;

/// <summary>
/// Shape of <see cref="MiniDecoder"/>, the 32x32 pixel-space diffusion UNet of atelier-mini (unCLIP's decoder at
/// half resolution; see /work/notes/atelier-mini-design.md, stage 3). Stored as <c>decoder.json</c> beside the weights.
/// </summary>
public sealed record MiniDecoderConfig
{
    /// <summary>Side of the square images the decoder denoises.</summary>
    public int SampleSize { get; init; } = 32;

    /// <summary>Image channels in and out (RGB).</summary>
    public int Channels { get; init; } = 3;

    /// <summary>UNet widths per resolution level (32, 16, 8 pixels for three levels).</summary>
    public int[] BlockOutChannels { get; init; } = [32, 64, 128];

    /// <summary>Residual blocks per level on the way down (the way up has one more, as diffusers' UNet2D).</summary>
    public int LayersPerBlock { get; init; } = 1;

    /// <summary>Per level: whether its blocks are followed by self+cross attention (GLIDE attention_resolutions).</summary>
    public bool[] AttentionLevels { get; init; } = [false, false, true];

    /// <summary>Width of one attention head (GLIDE num_head_channels).</summary>
    public int HeadChannels { get; init; } = 32;

    /// <summary>GroupNorm groups in every block.</summary>
    public int NormGroups { get; init; } = 8;

    /// <summary>Width of the CLIP-mini joint embedding (the image embedding the decoder inverts).</summary>
    public int ClipEmbeddingDim { get; init; } = 256;

    /// <summary>Width of the CLIP-mini text tower's token states (the caption context).</summary>
    public int TextWidth { get; init; } = 256;

    /// <summary>Extra context tokens projected from the image embedding (unCLIP §2.1: four).</summary>
    public int ClipExtraContextTokens { get; init; } = 4;

    /// <summary>What the network predicts: "v" (Salimans &amp; Ho 2022) or "epsilon" (Ho et al. 2020).</summary>
    public string PredictionType { get; init; } = "v";

    /// <summary><see cref="PredictionType"/> as the sampler's enum.</summary>
    [JsonIgnore]
    public MiniPrediction Prediction => PredictionType == "epsilon" ? MiniPrediction.Epsilon : MiniPrediction.Velocity;

    /// <summary>Width of the timestep embedding every residual block receives (4 × the first level, as DDPM).</summary>
    [JsonIgnore]
    public int TimeEmbedDim => 4 * BlockOutChannels[0];

    /// <summary>A model small enough for unit tests (two levels, attention at the lower one).</summary>
    public static MiniDecoderConfig Tiny { get; } = new()
    {
        SampleSize = 8,
        BlockOutChannels = [8, 16],
        AttentionLevels = [false, true],
        HeadChannels = 8,
        NormGroups = 4,
        ClipEmbeddingDim = 12,
        TextWidth = 16,
        ClipExtraContextTokens = 2,
    };

    /// <summary>Checks that the numbers describe a buildable network; throws naming the field.</summary>
    public MiniDecoderConfig Validate()
    {
        int levels = BlockOutChannels.Length;
        Require(levels >= 1, "block_out_channels", "at least one level");
        Require(AttentionLevels.Length == levels, "attention_levels", $"{levels} entries (one per level of block_out_channels)");
        Require(SampleSize % (1 << (levels - 1)) == 0, "sample_size", $"divisible by 2^{levels - 1} (the levels halve it)");
        for (int i = 0; i < levels; i++)
        {
            int c = BlockOutChannels[i];
            Require(c > 0 && c % NormGroups == 0, "block_out_channels", $"positive widths divisible by norm_groups {NormGroups}, got {c}");
            Require(!AttentionLevels[i] || c % HeadChannels == 0, "head_channels", $"a divisor of every attended width, got {HeadChannels} for {c}");
        }
        Require(LayersPerBlock >= 1, "layers_per_block", "at least 1");
        Require(ClipExtraContextTokens >= 1, "clip_extra_context_tokens", "at least 1");
        Require(PredictionType is "v" or "epsilon", "prediction_type", "\"v\" or \"epsilon\"");
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this, MiniJson.Options);

    public static MiniDecoderConfig FromJson(string json, string origin) => MiniJson.Read<MiniDecoderConfig>(json, origin).Validate();

    private void Require(bool condition, string field, string expected)
    {
        if (!condition) throw new MiniConfigException("decoder", field, expected);
    }
}
