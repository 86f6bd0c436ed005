using System.Globalization;

namespace Atelier.Formats.Checkpoints;

/// <summary>
/// The structure of an original (CompVis ldm) AutoencoderKL, read from its keys under <c>first_stage_model.</c>,
/// and the map to diffusers names (gotcha G30):
/// <code>
/// encoder.down.i.block.j / .downsample.conv   encoder.down_blocks.i.resnets.j / .downsamplers.0.conv
/// decoder.up.k.block.j / .upsample.conv       decoder.up_blocks.{levels-1-k}.resnets.j / .upsamplers.0.conv
///                                             (ldm stores decoder.up highest resolution first)
/// {en,de}coder.mid.block_1 / attn_1 / block_2 mid_block.resnets.0 / attentions.0 / resnets.1
/// mid.attn_1.norm / q / k / v / proj_out      attentions.0.group_norm / to_q / to_k / to_v / to_out.0
/// {en,de}coder.norm_out                       conv_norm_out
/// resnet nin_shortcut                         conv_shortcut
/// </code>
/// The attention q/k/v/proj_out weights are 1x1 convs [C, C, 1, 1] in ldm and Linear [C, C] in diffusers: the same
/// bytes, so they are reshaped views (no copy). All other tensors keep their shapes.
/// </summary>
internal sealed class LdmVaeLayout
{
    private LdmVaeLayout(int levels, int layersPerBlock, int[] channels)
    {
        Levels = levels;
        LayersPerBlock = layersPerBlock;
        Channels = channels;
    }

    public int Levels { get; }

    public int LayersPerBlock { get; }

    public int[] Channels { get; }

    public static LdmVaeLayout Infer(IReadOnlyDictionary<string, CheckpointTensor> tensors, string path)
    {
        int levels = CountIndices(tensors.Keys, "encoder.down.", path);
        if (levels == 0)
            throw new CheckpointFormatException(path, "first_stage_model.encoder.down", "the VAE encoder has no down levels; not an SD autoencoder.");
        int layers = CountIndices(tensors.Keys, "encoder.down.0.block.", path);
        var channels = new int[levels];
        for (int i = 0; i < levels; i++)
        {
            string key = $"encoder.down.{i}.block.0.conv1.weight";
            if (!tensors.TryGetValue(key, out var conv) || conv.Rank != 4)
                throw new CheckpointFormatException(path, "first_stage_model." + key, "missing or not a conv weight; cannot read the level's channel count.");
            channels[i] = checked((int)conv.Shape[0]);
            int here = CountIndices(tensors.Keys, $"encoder.down.{i}.block.", path);
            if (here != layers)
                throw new CheckpointFormatException(path, $"first_stage_model.encoder.down.{i}.block", $"has {here} resnets where level 0 has {layers}.");
            int decoderBlocks = CountIndices(tensors.Keys, $"decoder.up.{i}.block.", path);
            if (decoderBlocks != layers + 1)
                throw new CheckpointFormatException(path, $"first_stage_model.decoder.up.{i}.block", $"has {decoderBlocks} resnets; the decoder needs layers_per_block + 1 = {layers + 1}.");
        }
        int upLevels = CountIndices(tensors.Keys, "decoder.up.", path);
        if (upLevels != levels)
            throw new CheckpointFormatException(path, "first_stage_model.decoder.up", $"has {upLevels} levels; the encoder has {levels}.");
        return new LdmVaeLayout(levels, layers, channels);
    }

    /// <summary>The diffusers name of an ldm key (relative to <c>first_stage_model.</c>), or null when it is not part of an SD autoencoder.</summary>
    public string? ToDiffusers(string key)
    {
        string[] parts = key.Split('.');
        if (parts.Length == 2 && parts[0] is "quant_conv" or "post_quant_conv")
            return key;
        if (parts.Length < 3 || parts[0] is not ("encoder" or "decoder"))
            return null;
        string coder = parts[0];
        string parameter = parts[^1];
        switch (parts[1])
        {
            case "conv_in" or "conv_out" when parts.Length == 3:
                return key;
            case "norm_out" when parts.Length == 3:
                return $"{coder}.conv_norm_out.{parameter}";
            case "mid" when parts.Length == 5:
                return parts[2] switch
                {
                    "block_1" => Resnet($"{coder}.mid_block.resnets.0.", parts[3], parameter),
                    "block_2" => Resnet($"{coder}.mid_block.resnets.1.", parts[3], parameter),
                    "attn_1" => parts[3] switch
                    {
                        "norm" => $"{coder}.mid_block.attentions.0.group_norm.{parameter}",
                        "q" => $"{coder}.mid_block.attentions.0.to_q.{parameter}",
                        "k" => $"{coder}.mid_block.attentions.0.to_k.{parameter}",
                        "v" => $"{coder}.mid_block.attentions.0.to_v.{parameter}",
                        "proj_out" => $"{coder}.mid_block.attentions.0.to_out.0.{parameter}",
                        _ => null,
                    },
                    _ => null,
                };
            case "down" when coder == "encoder" && TryIndex(parts[2], out int level) && level < Levels:
                // encoder.down.{i}.block.{j}.{module}.{param} | encoder.down.{i}.downsample.conv.{param}
                if (parts.Length == 7 && parts[3] == "block" && TryIndex(parts[4], out int j) && j < LayersPerBlock)
                    return Resnet($"encoder.down_blocks.{level}.resnets.{j}.", parts[5], parameter);
                if (parts.Length == 6 && parts[3] == "downsample" && parts[4] == "conv" && level < Levels - 1)
                    return $"encoder.down_blocks.{level}.downsamplers.0.conv.{parameter}";
                return null;
            case "up" when coder == "decoder" && TryIndex(parts[2], out int ldmLevel) && ldmLevel < Levels:
                // decoder.up.{k}.block.{j}.{module}.{param} | decoder.up.{k}.upsample.conv.{param}; k counts from the highest resolution
                int upBlock = Levels - 1 - ldmLevel;
                if (parts.Length == 7 && parts[3] == "block" && TryIndex(parts[4], out int r) && r <= LayersPerBlock)
                    return Resnet($"decoder.up_blocks.{upBlock}.resnets.{r}.", parts[5], parameter);
                if (parts.Length == 6 && parts[3] == "upsample" && parts[4] == "conv" && ldmLevel > 0)
                    return $"decoder.up_blocks.{upBlock}.upsamplers.0.conv.{parameter}";
                return null;
            default:
                return null;
        }
    }

    /// <summary>
    /// The diffusers config of this autoencoder. From the shapes: channels, levels, layers per block, image and latent
    /// channels, whether the quant convs and the mid-block attention exist. Not in the weights: <paramref name="sampleSize"/>
    /// (the image size) and <paramref name="scalingFactor"/>; the rest keeps diffusers' defaults (norm groups 32, silu).
    /// </summary>
    public AutoencoderKLConfig ToConfig(IReadOnlyDictionary<string, CheckpointTensor> tensors, int sampleSize, double scalingFactor, string path)
    {
        var convIn = Require(tensors, "encoder.conv_in.weight", path);
        var convOut = Require(tensors, "decoder.conv_out.weight", path);
        var decoderIn = Require(tensors, "decoder.conv_in.weight", path);
        var config = new AutoencoderKLConfig
        {
            InChannels = checked((int)convIn.Shape[1]),
            OutChannels = checked((int)convOut.Shape[0]),
            BlockOutChannels = Channels,
            DownBlockTypes = Enumerable.Repeat("DownEncoderBlock2D", Levels).ToArray(),
            UpBlockTypes = Enumerable.Repeat("UpDecoderBlock2D", Levels).ToArray(),
            LayersPerBlock = LayersPerBlock,
            LatentChannels = checked((int)decoderIn.Shape[1]),
            SampleSize = sampleSize,
            ScalingFactor = scalingFactor,
            UseQuantConv = tensors.ContainsKey("quant_conv.weight"),
            UsePostQuantConv = tensors.ContainsKey("post_quant_conv.weight"),
            MidBlockAddAttention = tensors.ContainsKey("encoder.mid.attn_1.q.weight"),
        };
        config.Validate(path);
        return config;
    }

    private static CheckpointTensor Require(IReadOnlyDictionary<string, CheckpointTensor> tensors, string key, string path)
    {
        if (!tensors.TryGetValue(key, out var tensor) || tensor.Rank != 4)
            throw new CheckpointFormatException(path, "first_stage_model." + key, "missing or not a conv weight; the VAE config cannot be inferred without it.");
        return tensor;
    }

    /// <summary>True for the attention projections stored as 1x1 convs in ldm and as Linear weights in diffusers.</summary>
    public static bool IsAttentionProjectionWeight(string diffusersName) =>
        diffusersName.Contains(".mid_block.attentions.0.to_", StringComparison.Ordinal) && diffusersName.EndsWith(".weight", StringComparison.Ordinal);

    private static string? Resnet(string prefix, string module, string parameter)
    {
        string? renamed = module switch
        {
            "norm1" or "conv1" or "norm2" or "conv2" => module,
            "nin_shortcut" => "conv_shortcut",
            _ => null,
        };
        return renamed is null ? null : $"{prefix}{renamed}.{parameter}";
    }

    private static int CountIndices(IEnumerable<string> keys, string prefix, string path)
    {
        var indices = new HashSet<int>();
        foreach (string key in keys)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            int end = key.IndexOf('.', prefix.Length);
            if (end > prefix.Length && TryIndex(key[prefix.Length..end], out int index))
                indices.Add(index);
        }
        if (indices.Count > 0 && indices.Max() != indices.Count - 1)
            throw new CheckpointFormatException(path, "first_stage_model." + prefix.TrimEnd('.'),
                $"indices {string.Join(", ", indices.Order())} are not 0..{indices.Count - 1}.");
        return indices.Count;
    }

    private static bool TryIndex(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value.ToString(CultureInfo.InvariantCulture) == text;
}
