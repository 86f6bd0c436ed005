using Atelier.Formats.Checkpoints;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

// Building the UNet from files: a diffusers folder (unet/config.json + diffusion_pytorch_model[.variant].safetensors),
// or the UNet of any checkpoint Formats opens (diffusers pipeline folder or single-file ldm checkpoint). Loading is
// strict (every key, every shape) and copies nothing: weights stay memory-mapped in the file's dtype (F16 stays F16).
public sealed partial class UNet2DConditionModel
{
    /// <summary>
    /// Opens a UNet component folder (e.g. <c>…/unet</c>, <c>…/unet_inpaint</c>); <paramref name="options"/> picks the
    /// weight variant (<c>Variant = "fp16"</c>).
    /// </summary>
    public static UNet2DConditionModel FromFolder(string folder, CheckpointOptions? options = null)
    {
        using var component = DiffusersComponents.OpenUNet(folder, options);
        return FromComponent(component);
    }

    /// <summary>
    /// The UNet of a whole checkpoint: a diffusers pipeline folder (with <c>model_index.json</c>) or a single-file
    /// safetensors checkpoint with ldm key names (config inferred by Formats; see <see cref="CheckpointOptions"/> for
    /// what shapes cannot tell).
    /// </summary>
    public static UNet2DConditionModel FromCheckpoint(string path, CheckpointOptions? options = null)
    {
        using var source = CheckpointSource.Open(path, options);
        var component = source.UNet
            ?? throw new InvalidDataException($"{path}: the checkpoint has no UNet ({string.Join("; ", source.Warnings)}).");
        return FromComponent(component);
    }

    /// <summary>Builds the model from an opened component's config and loads its weights strictly. The component may be disposed afterwards.</summary>
    public static UNet2DConditionModel FromComponent(ModelComponent<UNet2DConditionConfig> component)
    {
        ArgumentNullException.ThrowIfNull(component);
        var model = new UNet2DConditionModel(component.Config, component.LoadedConfig.Path);
        model.LoadWeights(component.Weights.ToTensors(), component.Weights.Description);
        return model;
    }

    /// <summary>Builds the model for <paramref name="config"/> and loads <paramref name="weights"/> (diffusers names) strictly.</summary>
    public static UNet2DConditionModel FromWeights(UNet2DConditionConfig config, IReadOnlyDictionary<string, Tensor> weights, string origin)
    {
        var model = new UNet2DConditionModel(config, origin);
        model.LoadWeights(weights, origin);
        return model;
    }
}
