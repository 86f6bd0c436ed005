using System.Text.Json;

namespace Atelier.Models.Mini;

/// <summary>Shape of <see cref="MiniUpsampler"/> (stored as <c>upsampler.json</c> beside the weights).</summary>
public sealed record MiniUpsamplerConfig
{
    /// <summary>Image channels (RGB).</summary>
    public int Channels { get; init; } = 3;

    /// <summary>Side of the low-resolution input (the decoder's output).</summary>
    public int InputSize { get; init; } = 32;

    /// <summary>Integer upscaling factor (sub-pixel convolution: the last layer emits factor² values per pixel).</summary>
    public int Factor { get; init; } = 2;

    /// <summary>Width of the feature maps, all at the input resolution.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Residual blocks.</summary>
    public int Blocks { get; init; } = 3;

    /// <summary>GroupNorm groups.</summary>
    public int NormGroups { get; init; } = 8;

    public static MiniUpsamplerConfig Tiny { get; } = new() { InputSize = 8, Width = 8, Blocks = 1, NormGroups = 4 };

    public MiniUpsamplerConfig Validate()
    {
        if (Channels < 1) throw new MiniConfigException("upsampler", "channels", "at least 1");
        if (InputSize < 1) throw new MiniConfigException("upsampler", "input_size", "at least 1");
        if (Factor < 1) throw new MiniConfigException("upsampler", "factor", "at least 1");
        if (Width < 1 || Width % NormGroups != 0) throw new MiniConfigException("upsampler", "width", $"a positive multiple of norm_groups {NormGroups}");
        if (Blocks < 0) throw new MiniConfigException("upsampler", "blocks", "zero or more");
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(this, MiniJson.Options);

    public static MiniUpsamplerConfig FromJson(string json, string origin) => MiniJson.Read<MiniUpsamplerConfig>(json, origin).Validate();
}
