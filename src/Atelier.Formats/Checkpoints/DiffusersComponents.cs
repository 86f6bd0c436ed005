using Atelier.Formats.Safetensors;

namespace Atelier.Formats.Checkpoints;

/// <summary>
/// Opens one component folder of a diffusers model (<c>unet/</c>, <c>vae/</c>, <c>text_encoder/</c>, or any folder
/// laid out like one, e.g. <c>unet_inpaint/</c>): <c>config.json</c> plus its safetensors weights, names unchanged
/// except where an older diffusers/transformers wrote names that the current ones rename on load.
/// </summary>
public static class DiffusersComponents
{
    public static ModelComponent<UNet2DConditionConfig> OpenUNet(string folder, CheckpointOptions? options = null)
    {
        var config = UNet2DConditionConfig.Load(Path.Combine(folder, "config.json"));
        return new ModelComponent<UNet2DConditionConfig>(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), config,
            LoadWeights(folder, "diffusion_pytorch_model", options, adapt: null));
    }

    /// <summary>
    /// VAE weights. Files saved by diffusers before 0.14 name the mid-block attention <c>query/key/value/proj_attn</c>;
    /// they are renamed to <c>to_q/to_k/to_v/to_out.0</c> (same [C, C] tensors), as diffusers does on load.
    /// </summary>
    public static ModelComponent<AutoencoderKLConfig> OpenVae(string folder, CheckpointOptions? options = null)
    {
        var config = AutoencoderKLConfig.Load(Path.Combine(folder, "config.json"));
        return new ModelComponent<AutoencoderKLConfig>(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), config,
            LoadWeights(folder, "diffusion_pytorch_model", options, RenameLegacyVaeAttention));
    }

    /// <summary>
    /// Text encoder weights (transformers names, <c>text_model.*</c>). <c>text_model.embeddings.position_ids</c>, saved by
    /// transformers before 4.31, is a buffer equal to 0..76 and is dropped (gotcha G31).
    /// </summary>
    public static ModelComponent<ClipTextConfig> OpenTextEncoder(string folder, CheckpointOptions? options = null)
    {
        var config = ClipTextConfig.Load(Path.Combine(folder, "config.json"));
        return new ModelComponent<ClipTextConfig>(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), config,
            LoadWeights(folder, "model", options, DropPositionIds));
    }

    private static ComponentWeights LoadWeights(string folder, string baseName, CheckpointOptions? options, Func<CheckpointTensor, List<string>, CheckpointTensor?>? adapt)
    {
        var notes = new List<string>();
        var (files, tensors) = WeightFiles.Open(folder, baseName, options?.Variant, notes);
        try
        {
            var adapted = adapt is null ? tensors : [.. tensors.Select(t => adapt(t, notes)).OfType<CheckpointTensor>()];
            return new ComponentWeights(folder, adapted, files, notes);
        }
        catch
        {
            foreach (var file in files)
                file.Dispose();
            throw;
        }
    }

    private static readonly (string Old, string New)[] s_legacyVaeAttention =
        [(".query.", ".to_q."), (".key.", ".to_k."), (".value.", ".to_v."), (".proj_attn.", ".to_out.0.")];

    private static CheckpointTensor? RenameLegacyVaeAttention(CheckpointTensor tensor, List<string> notes)
    {
        if (!tensor.Name.Contains(".mid_block.attentions.", StringComparison.Ordinal))
            return tensor;
        string name = tensor.Name;
        foreach (var (old, replacement) in s_legacyVaeAttention)
            name = name.Replace(old, replacement, StringComparison.Ordinal);
        var result = tensor;
        // 1x1-conv-shaped attention weights [C, C, 1, 1] (ldm style) are the same bytes as the Linear [C, C] diffusers uses.
        if (name.EndsWith(".weight", StringComparison.Ordinal) && !name.Contains("group_norm", StringComparison.Ordinal)
            && tensor.Rank == 4 && tensor.Shape[2] == 1 && tensor.Shape[3] == 1)
        {
            notes.Add($"{tensor.Origin}: viewed as [{tensor.Shape[0]}, {tensor.Shape[1]}] (1x1 conv weight of a Linear).");
            return tensor.Reshape(name, tensor.Shape[0], tensor.Shape[1]);
        }
        if (name != tensor.Name)
        {
            notes.Add($"{tensor.Origin}: legacy attention name, renamed {tensor.Name} -> {name}.");
            result = tensor.Rename(name);
        }
        return result;
    }

    private static CheckpointTensor? DropPositionIds(CheckpointTensor tensor, List<string> notes)
    {
        if (tensor.Name is "text_model.embeddings.position_ids" or "embeddings.position_ids")
        {
            notes.Add($"{tensor.Origin}: ignored (a buffer holding 0..{Math.Max(0, tensor.ElementCount - 1)}; positions are always 0..n-1).");
            return null;
        }
        return tensor;
    }
}
