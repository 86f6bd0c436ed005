using Atelier.Formats.Safetensors;

namespace Atelier.Formats.Checkpoints;

/// <summary>Where a Stable Diffusion model came from.</summary>
public enum CheckpointLayout
{
    /// <summary>A diffusers folder: <c>model_index.json</c> and one folder per component.</summary>
    DiffusersFolder,

    /// <summary>One safetensors file with the original CompVis/ldm key names (A1111/ComfyUI style).</summary>
    SingleFile,
}

/// <summary>
/// A Stable Diffusion model opened from either layout, seen the same way: per component a typed config and its
/// weights under diffusers names, plus the scheduler and tokenizer configs and what kind of SD it is. Both layouts
/// of the same model give the same names, shapes, dtypes and bytes.
/// </summary>
/// <remarks>
/// Open with <see cref="Open"/>. Nothing is read beyond headers and configs until a tensor's bytes are touched.
/// Disposing releases the files; tensors whose storage was leased (<c>tensor.Storage.Retain()</c>) stay valid.
/// </remarks>
public sealed class CheckpointSource : IDisposable
{
    private readonly List<IDisposable> _owned;

    internal CheckpointSource(
        string path,
        CheckpointLayout layout,
        StableDiffusionVariant variant,
        ModelComponent<UNet2DConditionConfig>? unet,
        ModelComponent<AutoencoderKLConfig>? vae,
        ModelComponent<ClipTextConfig>? textEncoder,
        LoadedConfig<TokenizerConfig>? tokenizer,
        LoadedConfig<SchedulerConfig> scheduler,
        LoadedConfig<ModelIndex>? modelIndex,
        IReadOnlyList<string> ignoredKeys,
        IEnumerable<string> warnings,
        IEnumerable<IDisposable> owned)
    {
        Path = path;
        Layout = layout;
        Variant = variant;
        UNet = unet;
        Vae = vae;
        TextEncoder = textEncoder;
        Tokenizer = tokenizer;
        Scheduler = scheduler;
        ModelIndex = modelIndex;
        IgnoredKeys = ignoredKeys;
        _owned = [.. owned];
        var all = new List<string>();
        if (modelIndex is not null) all.AddRange(modelIndex.Warnings);
        foreach (var component in new IReadOnlyList<string>?[] { unet?.Warnings, vae?.Warnings, textEncoder?.Warnings, tokenizer?.Warnings, scheduler.Warnings })
        {
            if (component is not null) all.AddRange(component);
        }
        all.AddRange(warnings);
        Warnings = all;
    }

    /// <summary>
    /// Opens a diffusers folder (a directory with <c>model_index.json</c>) or a single-file safetensors checkpoint.
    /// Pickle checkpoints are refused (<see cref="PickleCheckpointException"/>); malformed input gives
    /// <see cref="CheckpointFormatException"/> or <see cref="SafetensorsFormatException"/> naming the file and field.
    /// </summary>
    public static CheckpointSource Open(string path, CheckpointOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= CheckpointOptions.Default;
        if (Directory.Exists(path))
            return DiffusersFolder.Load(path, options);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: no such file or folder (expected a diffusers folder or a .safetensors checkpoint).", path);
        return SingleFileCheckpoint.Load(path, options);
    }

    /// <summary>The folder or file opened.</summary>
    public string Path { get; }

    public CheckpointLayout Layout { get; }

    public StableDiffusionVariant Variant { get; }

    /// <summary>Null when the checkpoint has no UNet (a warning says so).</summary>
    public ModelComponent<UNet2DConditionConfig>? UNet { get; }

    /// <summary>Null when the checkpoint has no VAE (some single files ship without one; a warning says so).</summary>
    public ModelComponent<AutoencoderKLConfig>? Vae { get; }

    public ModelComponent<ClipTextConfig>? TextEncoder { get; }

    /// <summary>The tokenizer folder's config; null for single files, which carry none (use SD's CLIP BPE: 49,408 tokens, 77 positions).</summary>
    public LoadedConfig<TokenizerConfig>? Tokenizer { get; }

    /// <summary>The scheduler config; for single files, SD 1.5's with the detected prediction type.</summary>
    public LoadedConfig<SchedulerConfig> Scheduler { get; }

    /// <summary><c>model_index.json</c> of a diffusers folder; null for single files.</summary>
    public LoadedConfig<ModelIndex>? ModelIndex { get; }

    /// <summary>Single file: every key that was not mapped to a component (DDPM buffers, unused EMA weights, position_ids, ...).</summary>
    public IReadOnlyList<string> IgnoredKeys { get; }

    /// <summary>Everything worth telling the user, one line each: unknown config fields, renames, ignored keys, guesses.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public void Dispose()
    {
        UNet?.Dispose();
        Vae?.Dispose();
        TextEncoder?.Dispose();
        foreach (var owned in _owned)
            owned.Dispose();
        _owned.Clear();
    }
}
