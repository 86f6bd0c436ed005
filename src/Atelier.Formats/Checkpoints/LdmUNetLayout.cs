using System.Globalization;

namespace Atelier.Formats.Checkpoints;

/// <summary>
/// The structure of an original (CompVis ldm) UNet, read from its keys under <c>model.diffusion_model.</c>, and the
/// map from its key names to diffusers' (gotcha G30). With L = layers per block:
/// <code>
/// input_blocks.0.0                      conv_in
/// input_blocks.{i(L+1)+j+1}.0 / .1      down_blocks.i.resnets.j / .attentions.j      (j &lt; L)
/// input_blocks.{(i+1)(L+1)}.0.op        down_blocks.i.downsamplers.0.conv            (all levels but the last)
/// middle_block.0 / .1 / .2              mid_block.resnets.0 / .attentions.0 / .resnets.1
/// output_blocks.{i(L+1)+j}.0 / .1       up_blocks.i.resnets.j / .attentions.j        (j ≤ L)
/// output_blocks.{i(L+1)+L}.{1|2}.conv   up_blocks.i.upsamplers.0.conv  (index 1 when the level has no attention)
/// time_embed.0 / .2                     time_embedding.linear_1 / .linear_2
/// out.0 / .2                            conv_norm_out / conv_out
/// resnet parts: in_layers.0/2 = norm1/conv1, emb_layers.1 = time_emb_proj, out_layers.0/3 = norm2/conv2,
///               skip_connection = conv_shortcut; attention parts keep their names.
/// </code>
/// Up block i is down level (levels − 1 − i) mirrored. Every tensor keeps its shape: SD 1.x stores proj_in/proj_out
/// as 1x1 convs and so does diffusers' SD 1.x config (use_linear_projection = false), SD 2.x stores them as Linear.
/// </summary>
internal sealed class LdmUNetLayout
{
    private LdmUNetLayout(int levels, int layersPerBlock, int[] channels, bool[] hasAttention)
    {
        Levels = levels;
        LayersPerBlock = layersPerBlock;
        Channels = channels;
        HasAttention = hasAttention;
    }

    public int Levels { get; }

    public int LayersPerBlock { get; }

    /// <summary>Output channels of each down level (diffusers' block_out_channels).</summary>
    public int[] Channels { get; }

    /// <summary>Whether each down level has cross-attention transformers.</summary>
    public bool[] HasAttention { get; }

    /// <summary>Reads the structure from the UNet's keys (relative to <c>model.diffusion_model.</c>).</summary>
    public static LdmUNetLayout Infer(IReadOnlyDictionary<string, CheckpointTensor> tensors, string path)
    {
        var inputBlocks = BlockIndices(tensors.Keys, "input_blocks.");
        var outputBlocks = BlockIndices(tensors.Keys, "output_blocks.");
        if (inputBlocks.Count == 0 || !tensors.ContainsKey("input_blocks.0.0.weight"))
            throw new CheckpointFormatException(path, "model.diffusion_model.input_blocks.0.0.weight", "the UNet has no conv_in (input_blocks.0.0); not an SD UNet.");
        CheckContiguous(inputBlocks, "input_blocks", path);
        CheckContiguous(outputBlocks, "output_blocks", path);

        int count = inputBlocks.Max() + 1;
        int firstDownsampler = Enumerable.Range(1, count - 1).FirstOrDefault(n => tensors.ContainsKey($"input_blocks.{n}.0.op.weight"));
        int layers = firstDownsampler > 0 ? firstDownsampler - 1 : count - 1;
        if (layers <= 0 || count % (layers + 1) != 0)
            throw new CheckpointFormatException(path, "model.diffusion_model.input_blocks",
                $"{count} input blocks do not form levels of {layers} resnets plus a downsampler.");
        int levels = count / (layers + 1);

        var channels = new int[levels];
        var attention = new bool[levels];
        for (int i = 0; i < levels; i++)
        {
            int first = i * (layers + 1) + 1;
            string conv1 = $"input_blocks.{first}.0.in_layers.2.weight";
            if (!tensors.TryGetValue(conv1, out var weight) || weight.Rank != 4)
                throw new CheckpointFormatException(path, "model.diffusion_model." + conv1, "missing or not a conv weight; cannot read the level's channel count.");
            channels[i] = checked((int)weight.Shape[0]);
            attention[i] = tensors.ContainsKey($"input_blocks.{first}.1.proj_in.weight");
            for (int j = 0; j < layers; j++)
            {
                bool here = tensors.ContainsKey($"input_blocks.{first + j}.1.proj_in.weight");
                if (here != attention[i])
                    throw new CheckpointFormatException(path, $"model.diffusion_model.input_blocks.{first + j}.1",
                        "some resnets of this level have attention and others do not; SD UNets have it on all or none.");
            }
            bool hasDownsampler = tensors.ContainsKey($"input_blocks.{(i + 1) * (layers + 1)}.0.op.weight");
            if (hasDownsampler != (i < levels - 1))
                throw new CheckpointFormatException(path, $"model.diffusion_model.input_blocks.{(i + 1) * (layers + 1)}.0.op",
                    i < levels - 1 ? "the downsampler of this level is missing." : "the last level must not have a downsampler.");
        }
        int expectedOutputs = levels * (layers + 1);
        if (outputBlocks.Count != expectedOutputs)
            throw new CheckpointFormatException(path, "model.diffusion_model.output_blocks",
                $"found {outputBlocks.Count} output blocks; {levels} levels of {layers} layers need {expectedOutputs}.");
        return new LdmUNetLayout(levels, layers, channels, attention);
    }

    /// <summary>The diffusers name of an ldm key (relative to <c>model.diffusion_model.</c>), or null when the key is not part of an SD UNet.</summary>
    public string? ToDiffusers(string key)
    {
        string[] parts = key.Split('.');
        int stride = LayersPerBlock + 1;
        switch (parts[0])
        {
            case "time_embed" when parts.Length == 3 && parts[1] is "0" or "2":
                return $"time_embedding.linear_{(parts[1] == "0" ? 1 : 2)}.{parts[2]}";
            case "out" when parts.Length == 3 && parts[1] is "0" or "2":
                return (parts[1] == "0" ? "conv_norm_out." : "conv_out.") + parts[2];
            case "input_blocks" when parts.Length >= 4 && TryIndex(parts[1], out int n) && TryIndex(parts[2], out int m):
            {
                string rest = Join(parts, 3);
                if (n == 0)
                    return m == 0 && parts.Length == 4 ? "conv_in." + rest : null;
                int level = (n - 1) / stride, j = (n - 1) % stride;
                if (level >= Levels)
                    return null;
                if (j < LayersPerBlock)
                {
                    return m switch
                    {
                        0 => Resnet($"down_blocks.{level}.resnets.{j}.", rest),
                        1 when HasAttention[level] => Attention($"down_blocks.{level}.attentions.{j}.", rest),
                        _ => null,
                    };
                }
                return m == 0 && parts.Length == 5 && parts[3] == "op" && level < Levels - 1
                    ? $"down_blocks.{level}.downsamplers.0.conv.{parts[4]}"
                    : null;
            }
            case "middle_block" when parts.Length >= 3 && TryIndex(parts[1], out int mid):
            {
                string rest = Join(parts, 2);
                return mid switch
                {
                    0 => Resnet("mid_block.resnets.0.", rest),
                    1 => Attention("mid_block.attentions.0.", rest),
                    2 => Resnet("mid_block.resnets.1.", rest),
                    _ => null,
                };
            }
            case "output_blocks" when parts.Length >= 4 && TryIndex(parts[1], out int n) && TryIndex(parts[2], out int m):
            {
                string rest = Join(parts, 3);
                int upLevel = n / stride, j = n % stride;
                if (upLevel >= Levels)
                    return null;
                bool attention = HasAttention[Levels - 1 - upLevel];
                bool isUpsampler = j == LayersPerBlock && upLevel < Levels - 1 && parts.Length == 5 && parts[3] == "conv"
                    && m == (attention ? 2 : 1);
                if (isUpsampler)
                    return $"up_blocks.{upLevel}.upsamplers.0.conv.{parts[4]}";
                return m switch
                {
                    0 => Resnet($"up_blocks.{upLevel}.resnets.{j}.", rest),
                    1 when attention => Attention($"up_blocks.{upLevel}.attentions.{j}.", rest),
                    _ => null,
                };
            }
            default:
                return null;
        }
    }

    /// <summary>
    /// The diffusers config this UNet needs. From the shapes: channels, levels, layers, attention levels, context
    /// width, projection kind, transformer depth, in/out channels, kernel sizes, time-embedding width. Not in the
    /// weights, so passed in: heads (<paramref name="heads"/>) and <paramref name="sampleSize"/>; SD 2.x gets
    /// <c>upcast_attention = true</c> like stabilityai/stable-diffusion-2-1 (it only matters in fp16, gotcha G16).
    /// Everything else keeps diffusers' defaults, which are SD's values.
    /// </summary>
    public UNet2DConditionConfig ToConfig(IReadOnlyDictionary<string, CheckpointTensor> tensors, StableDiffusionFamily family, IntOrList heads, int? sampleSize, string path)
    {
        var convIn = Require(tensors, "input_blocks.0.0.weight", 4, path);
        var convOut = Require(tensors, "out.2.weight", 4, path);
        var time1 = Require(tensors, "time_embed.0.weight", 2, path);
        if (time1.Shape[1] != Channels[0])
            throw new CheckpointFormatException(path, "model.diffusion_model.time_embed.0.weight",
                $"takes a {time1.Shape[1]}-wide timestep embedding, but SD UNets use block_out_channels[0] = {Channels[0]}.");

        int stride = LayersPerBlock + 1;
        int firstAttention = Array.IndexOf(HasAttention, true);
        int? contextDim = null;
        bool linearProjection = false;
        var depth = new int[Levels];
        for (int i = 0; i < Levels; i++)
        {
            depth[i] = 1;
            if (!HasAttention[i])
                continue;
            string prefix = $"input_blocks.{i * stride + 1}.1.";
            depth[i] = BlockIndices(tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k[prefix.Length..]), "transformer_blocks.").Count;
            var toK = Require(tensors, prefix + "transformer_blocks.0.attn2.to_k.weight", 2, path);
            contextDim ??= checked((int)toK.Shape[1]);
            if (toK.Shape[1] != contextDim)
                throw new CheckpointFormatException(path, "model.diffusion_model." + prefix + "transformer_blocks.0.attn2.to_k.weight",
                    $"cross-attends to {toK.Shape[1]}-wide context where other levels use {contextDim}.");
            if (i == firstAttention)
                linearProjection = Require(tensors, prefix + "proj_in.weight", -1, path).Rank == 2;
        }
        if (contextDim is null && tensors.TryGetValue("middle_block.1.transformer_blocks.0.attn2.to_k.weight", out var midToK))
        {
            contextDim = checked((int)midToK.Shape[1]);
            linearProjection = Require(tensors, "middle_block.1.proj_in.weight", -1, path).Rank == 2;
        }
        var attentionDepths = depth.Where((_, i) => HasAttention[i]).Distinct().ToArray();

        var defaults = new UNet2DConditionConfig();
        var config = defaults with
        {
            SampleSize = sampleSize,
            InChannels = checked((int)convIn.Shape[1]),
            OutChannels = checked((int)convOut.Shape[0]),
            ConvInKernel = checked((int)convIn.Shape[2]),
            ConvOutKernel = checked((int)convOut.Shape[2]),
            BlockOutChannels = Channels,
            LayersPerBlock = LayersPerBlock,
            DownBlockTypes = HasAttention.Select(a => a ? "CrossAttnDownBlock2D" : "DownBlock2D").ToArray(),
            UpBlockTypes = Enumerable.Reverse(HasAttention).Select(a => a ? "CrossAttnUpBlock2D" : "UpBlock2D").ToArray(),
            MidBlockType = tensors.ContainsKey("middle_block.1.proj_in.weight") ? "UNetMidBlock2DCrossAttn" : "UNetMidBlock2D",
            CrossAttentionDim = contextDim ?? defaults.CrossAttentionDim.Scalar!.Value,
            UseLinearProjection = linearProjection,
            TransformerLayersPerBlock = attentionDepths.Length <= 1 ? IntOrList.Of(attentionDepths.FirstOrDefault(1)) : IntOrList.Of(depth),
            TimeEmbeddingDim = time1.Shape[0] == 4L * Channels[0] ? null : checked((int)time1.Shape[0]),
            AttentionHeadDim = heads,
            UpcastAttention = family == StableDiffusionFamily.V2,
        };
        config.Validate(path);
        return config;
    }

    private static CheckpointTensor Require(IReadOnlyDictionary<string, CheckpointTensor> tensors, string key, int rank, string path)
    {
        if (!tensors.TryGetValue(key, out var tensor))
            throw new CheckpointFormatException(path, "model.diffusion_model." + key, "missing; the UNet config cannot be inferred without it.");
        if (rank >= 0 && tensor.Rank != rank)
            throw new CheckpointFormatException(path, "model.diffusion_model." + key, $"expected a rank-{rank} tensor, found [{string.Join(", ", tensor.Shape)}].");
        return tensor;
    }

    private static string? Resnet(string prefix, string rest)
    {
        int dot = rest.LastIndexOf('.');
        if (dot < 0)
            return null;
        string module = rest[..dot], parameter = rest[(dot + 1)..];
        string? renamed = module switch
        {
            "in_layers.0" => "norm1",
            "in_layers.2" => "conv1",
            "emb_layers.1" => "time_emb_proj",
            "out_layers.0" => "norm2",
            "out_layers.3" => "conv2",
            "skip_connection" => "conv_shortcut",
            _ => null,
        };
        return renamed is null ? null : $"{prefix}{renamed}.{parameter}";
    }

    private static string? Attention(string prefix, string rest) =>
        rest.StartsWith("norm.", StringComparison.Ordinal) || rest.StartsWith("proj_in.", StringComparison.Ordinal)
        || rest.StartsWith("proj_out.", StringComparison.Ordinal) || rest.StartsWith("transformer_blocks.", StringComparison.Ordinal)
            ? prefix + rest
            : null;

    private static string Join(string[] parts, int from) => string.Join('.', parts, from, parts.Length - from);

    private static bool TryIndex(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value.ToString(CultureInfo.InvariantCulture) == text;

    private static SortedSet<int> BlockIndices(IEnumerable<string> keys, string prefix)
    {
        var indices = new SortedSet<int>();
        foreach (string key in keys)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            int end = key.IndexOf('.', prefix.Length);
            if (end > prefix.Length && TryIndex(key[prefix.Length..end], out int index))
                indices.Add(index);
        }
        return indices;
    }

    private static void CheckContiguous(SortedSet<int> indices, string what, string path)
    {
        if (indices.Count > 0 && indices.Max != indices.Count - 1)
            throw new CheckpointFormatException(path, "model.diffusion_model." + what,
                $"block indices {string.Join(", ", indices)} are not 0..{indices.Count - 1}.");
    }
}
