using System.Globalization;
using System.Text.RegularExpressions;
using Atelier.Formats.Safetensors;

namespace Atelier.Formats.Checkpoints;

/// <summary>
/// SD 1.x text encoder in a single file: transformers' CLIPTextModel state dict under
/// <c>cond_stage_model.transformer.</c>, so keys map by dropping the prefix (very old files lack the
/// <c>text_model.</c> level, which is added). <c>text_model.embeddings.position_ids</c> is a buffer holding 0..76,
/// ignored (gotcha G31). Config: sizes from the shapes; the rest as openai/clip-vit-large-patch14's text config,
/// which SD 1.x uses (quick_gelu, bos 0 / eos 2 / pad 1, projection_dim = hidden size).
/// </summary>
internal static partial class LdmClipTextLayout
{
    public const string Prefix = "cond_stage_model.transformer.";

    [GeneratedRegex(@"^text_model\.(embeddings\.(token|position)_embedding\.weight|final_layer_norm\.(weight|bias)|encoder\.layers\.\d+\.(self_attn\.(q|k|v|out)_proj|layer_norm1|layer_norm2|mlp\.fc1|mlp\.fc2)\.(weight|bias))$")]
    private static partial Regex ClipTextName();

    public static (List<CheckpointTensor> Tensors, ClipTextConfig Config) Map(
        IReadOnlyDictionary<string, CheckpointTensor> tensors, int? heads, List<string> notes, List<string> ignored, string path)
    {
        var mapped = new Dictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        var unmapped = new List<string>();
        foreach (var (key, tensor) in tensors)
        {
            string name = key.StartsWith("text_model.", StringComparison.Ordinal) ? key : "text_model." + key;
            if (name == "text_model.embeddings.position_ids")
            {
                ignored.Add(Prefix + key);
                notes.Add($"{path}: ignored {Prefix}{key} (a buffer equal to 0..{Math.Max(0, tensor.ElementCount - 1)}; gotcha G31).");
                continue;
            }
            if (!ClipTextName().IsMatch(name))
            {
                unmapped.Add(Prefix + key);
                continue;
            }
            mapped[name] = tensor.Rename(name);
        }
        if (unmapped.Count > 0)
            throw new CheckpointFormatException(path, unmapped[0],
                $"not part of a CLIP text encoder ({unmapped.Count} such keys: {string.Join(", ", unmapped.Take(5))}{(unmapped.Count > 5 ? ", …" : "")}).");

        var token = Require(mapped, "text_model.embeddings.token_embedding.weight", path);
        var position = Require(mapped, "text_model.embeddings.position_embedding.weight", path);
        var fc1 = Require(mapped, "text_model.encoder.layers.0.mlp.fc1.weight", path);
        int hidden = checked((int)token.Shape[1]);
        int layers = mapped.Keys.Select(LayerIndex).Where(i => i >= 0).Distinct().Count();
        var config = new ClipTextConfig
        {
            VocabSize = checked((int)token.Shape[0]),
            HiddenSize = hidden,
            IntermediateSize = checked((int)fc1.Shape[0]),
            ProjectionDim = hidden,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads ?? HeadsFromWidth(hidden, path, Prefix + "text_model.embeddings.token_embedding.weight"),
            MaxPositionEmbeddings = checked((int)position.Shape[0]),
            HiddenAct = "quick_gelu",
            PadTokenId = 1,
            BosTokenId = 0,
            EosTokenId = 2,
            Architectures = new[] { "CLIPTextModel" },
            TorchDtype = TorchDtypeName(token),
        };
        config.Validate(path);
        return ([.. mapped.Values], config);
    }

    /// <summary>Every CLIP text tower SD uses has 64-wide heads (ViT-L: 768/12, ViT-H: 1024/16); other widths need a hint.</summary>
    internal static int HeadsFromWidth(int hidden, string path, string key)
    {
        if (hidden % 64 != 0)
            throw new CheckpointFormatException(path, key,
                $"the text encoder is {hidden} wide, not a multiple of 64, so its head count cannot be inferred (SD's CLIP towers use 64-wide heads); " +
                "pass CheckpointOptions.TextAttentionHeads.");
        return hidden / 64;
    }

    internal static string TorchDtypeName(CheckpointTensor tensor) => tensor.FileDType switch
    {
        SafetensorsDType.F32 => "float32",
        SafetensorsDType.F16 => "float16",
        SafetensorsDType.BF16 => "bfloat16",
        var other => other.ToHeaderString(),
    };

    internal static CheckpointTensor Require(Dictionary<string, CheckpointTensor> mapped, string name, string path) =>
        mapped.TryGetValue(name, out var tensor) && tensor.Rank == 2
            ? tensor
            : throw new CheckpointFormatException(path, name, "missing or not a matrix; the text encoder config cannot be inferred without it.");

    private static int LayerIndex(string name)
    {
        const string layers = "text_model.encoder.layers.";
        if (!name.StartsWith(layers, StringComparison.Ordinal))
            return -1;
        int end = name.IndexOf('.', layers.Length);
        return int.Parse(name.AsSpan(layers.Length, end - layers.Length), CultureInfo.InvariantCulture);
    }
}
