using System.Globalization;
using System.Text.RegularExpressions;

namespace Atelier.Formats.Checkpoints;

/// <summary>
/// SD 2.x text encoder in a single file: an OpenCLIP ViT-H text tower under <c>cond_stage_model.model.</c>, mapped to
/// transformers' CLIPTextModel names as diffusers' <c>convert_open_clip_checkpoint</c> does:
/// <code>
/// token_embedding / positional_embedding        text_model.embeddings.token_embedding / position_embedding.weight
/// transformer.resblocks.N.ln_1 / ln_2           text_model.encoder.layers.N.layer_norm1 / layer_norm2
/// transformer.resblocks.N.attn.in_proj_weight   q_proj / k_proj / v_proj .weight = rows [0,H) / [H,2H) / [2H,3H)
/// transformer.resblocks.N.attn.in_proj_bias     q_proj / k_proj / v_proj .bias, same split
/// transformer.resblocks.N.attn.out_proj         self_attn.out_proj
/// transformer.resblocks.N.mlp.c_fc / c_proj     mlp.fc1 / mlp.fc2
/// ln_final                                      text_model.final_layer_norm
/// </code>
/// The q/k/v split takes contiguous row ranges, so the pieces are views. SD 2.x conditions on the penultimate layer
/// (ldm's FrozenOpenCLIPEmbedder, <c>layer="penultimate"</c>), so the last resblock is ignored and the config has
/// one layer fewer (23 of 24 for ViT-H; gotcha G7). <c>text_projection</c> and <c>logit_scale</c> belong to CLIP's
/// contrastive head, which SD 2.x does not use: ignored unless <see cref="CheckpointOptions.IncludeTextProjection"/>.
/// </summary>
internal static partial class OpenClipTextLayout
{
    public const string Prefix = "cond_stage_model.model.";

    [GeneratedRegex(@"^transformer\.resblocks\.(\d+)\.(.+)$")]
    private static partial Regex ResblockKey();

    public static (List<CheckpointTensor> Tensors, ClipTextConfig Config) Map(
        IReadOnlyDictionary<string, CheckpointTensor> tensors, int? heads, bool includeProjection, List<string> notes, List<string> ignored, string path)
    {
        int resblocks = tensors.Keys.Select(k => ResblockKey().Match(k)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max() + 1;
        if (resblocks < 2)
            throw new CheckpointFormatException(path, Prefix + "transformer.resblocks", $"found {resblocks} resblocks; SD 2.x's text tower has 24.");
        int lastUsed = resblocks - 2;

        if (!tensors.TryGetValue("token_embedding.weight", out var token) || token.Rank != 2)
            throw new CheckpointFormatException(path, Prefix + "token_embedding.weight", "missing or not a matrix.");
        long hidden = token.Shape[1];

        var mapped = new Dictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        var unmapped = new List<string>();
        int ignoredLastBlock = 0;
        foreach (var (key, tensor) in tensors)
        {
            var match = ResblockKey().Match(key);
            if (match.Success)
            {
                int layer = int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
                if (layer > lastUsed)
                {
                    ignored.Add(Prefix + key);
                    ignoredLastBlock++;
                    continue;
                }
                if (!MapResblock(layer, match.Groups[2].Value, tensor, hidden, mapped, path))
                    unmapped.Add(Prefix + key);
                continue;
            }
            switch (key)
            {
                case "token_embedding.weight":
                    mapped["text_model.embeddings.token_embedding.weight"] = tensor.Rename("text_model.embeddings.token_embedding.weight");
                    break;
                case "positional_embedding":
                    mapped["text_model.embeddings.position_embedding.weight"] = tensor.Rename("text_model.embeddings.position_embedding.weight");
                    break;
                case "ln_final.weight" or "ln_final.bias":
                    string name = "text_model.final_layer_norm." + key["ln_final.".Length..];
                    mapped[name] = tensor.Rename(name);
                    break;
                case "text_projection" when includeProjection:
                    mapped["text_projection.weight"] = tensor.Transpose2D("text_projection.weight");
                    notes.Add($"{path}: {Prefix}text_projection [{string.Join(", ", tensor.Shape)}] transposed into memory as text_projection.weight.");
                    break;
                case "text_projection" or "logit_scale" or "attn_mask":
                    ignored.Add(Prefix + key);
                    notes.Add($"{path}: ignored {Prefix}{key} (CLIP's contrastive head / a mask buffer; SD 2.x's CLIPTextModel has none).");
                    break;
                default:
                    if (key.StartsWith("visual.", StringComparison.Ordinal))
                        ignored.Add(Prefix + key);
                    else
                        unmapped.Add(Prefix + key);
                    break;
            }
        }
        if (ignoredLastBlock > 0)
            notes.Add($"{path}: ignored the {ignoredLastBlock} tensors of {Prefix}transformer.resblocks.{resblocks - 1} (SD 2.x uses the penultimate layer: {resblocks - 1} of {resblocks}).");
        if (tensors.Keys.Any(k => k.StartsWith("visual.", StringComparison.Ordinal)))
            notes.Add($"{path}: ignored the OpenCLIP image tower ({Prefix}visual.*), which SD 2.x does not use.");
        if (unmapped.Count > 0)
            throw new CheckpointFormatException(path, unmapped[0],
                $"not part of an OpenCLIP text tower ({unmapped.Count} such keys: {string.Join(", ", unmapped.Take(5))}{(unmapped.Count > 5 ? ", …" : "")}).");

        var position = LdmClipTextLayout.Require(mapped, "text_model.embeddings.position_embedding.weight", path);
        var fc1 = LdmClipTextLayout.Require(mapped, "text_model.encoder.layers.0.mlp.fc1.weight", path);
        int width = checked((int)hidden);
        int? projection = tensors.TryGetValue("text_projection", out var proj) && proj.Rank == 2 ? checked((int)proj.Shape[1]) : null;
        var config = new ClipTextConfig
        {
            VocabSize = checked((int)token.Shape[0]),
            HiddenSize = width,
            IntermediateSize = checked((int)fc1.Shape[0]),
            ProjectionDim = projection ?? width,
            NumHiddenLayers = lastUsed + 1,
            NumAttentionHeads = heads ?? LdmClipTextLayout.HeadsFromWidth(width, path, Prefix + "token_embedding.weight"),
            MaxPositionEmbeddings = checked((int)position.Shape[0]),
            HiddenAct = "gelu",
            PadTokenId = 1,
            BosTokenId = 0,
            EosTokenId = 2,
            Architectures = new[] { includeProjection ? "CLIPTextModelWithProjection" : "CLIPTextModel" },
            TorchDtype = LdmClipTextLayout.TorchDtypeName(token),
        };
        config.Validate(path);
        return ([.. mapped.Values], config);
    }

    private static bool MapResblock(int layer, string rest, CheckpointTensor tensor, long hidden, Dictionary<string, CheckpointTensor> mapped, string path)
    {
        string target = $"text_model.encoder.layers.{layer}.";
        switch (rest)
        {
            case "attn.in_proj_weight" or "attn.in_proj_bias":
                if (tensor.Shape.Length == 0 || tensor.Shape[0] != 3 * hidden)
                    throw new CheckpointFormatException(path, $"{Prefix}transformer.resblocks.{layer}.{rest}",
                        $"expected {3 * hidden} rows (q, k, v of width {hidden}), found [{string.Join(", ", tensor.Shape)}].");
                string parameter = rest.EndsWith("weight", StringComparison.Ordinal) ? "weight" : "bias";
                string[] names = ["q_proj", "k_proj", "v_proj"];
                for (int i = 0; i < 3; i++)
                {
                    string name = $"{target}self_attn.{names[i]}.{parameter}";
                    mapped[name] = tensor.SliceRows(name, i * hidden, hidden);
                }
                return true;
        }
        string? module = rest switch
        {
            _ when rest.StartsWith("ln_1.", StringComparison.Ordinal) => "layer_norm1." + rest[5..],
            _ when rest.StartsWith("ln_2.", StringComparison.Ordinal) => "layer_norm2." + rest[5..],
            _ when rest.StartsWith("attn.out_proj.", StringComparison.Ordinal) => "self_attn.out_proj." + rest["attn.out_proj.".Length..],
            _ when rest.StartsWith("mlp.c_fc.", StringComparison.Ordinal) => "mlp.fc1." + rest["mlp.c_fc.".Length..],
            _ when rest.StartsWith("mlp.c_proj.", StringComparison.Ordinal) => "mlp.fc2." + rest["mlp.c_proj.".Length..],
            _ => null,
        };
        if (module is null || !(module.EndsWith(".weight", StringComparison.Ordinal) || module.EndsWith(".bias", StringComparison.Ordinal)))
            return false;
        mapped[target + module] = tensor.Rename(target + module);
        return true;
    }
}
