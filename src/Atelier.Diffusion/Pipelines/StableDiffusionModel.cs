using System.Text.Json.Nodes;
using Atelier.Diffusion.Schedulers;
using Atelier.Formats.Checkpoints;
using Atelier.Formats.Tokenizers;
using Atelier.Models.Clip;
using Atelier.Models.UNet;
using Atelier.Models.Vae;

namespace Atelier.Diffusion.Pipelines;

// Stable Diffusion's parts (Rombach et al. 2022, "High-Resolution Image Synthesis with Latent Diffusion Models"): a
// CLIP tokenizer and text encoder, a UNet denoiser, an AutoencoderKL and a scheduler config. Reference: what diffusers
// 0.30.3 StableDiffusionPipeline.from_pretrained / from_single_file assemble. Differences: the parts are checked to
// fit together before any run (ModelFit), and a single file needs a tokenizer folder (diffusers downloads one).

/// <summary>
/// A loaded Stable Diffusion 1.x / 2.x model (text-to-image or inpainting UNet), the input of every pipeline.
/// Weights stay memory-mapped in their file's dtype (fp16 files stay fp16). Immutable: <see cref="WithUNet"/> makes a
/// new model sharing the other parts. Pipelines may run one at a time on a model (the modules hold no run state,
/// but the engine's thread pool is shared).
/// </summary>
public sealed class StableDiffusionModel
{
    private readonly JsonObject _schedulerConfig;
    private readonly IReadOnlyList<string> _weightFiles;
    private readonly bool _singleFile;
    private readonly Lazy<string?> _hash;

    private StableDiffusionModel(string name, string path, ClipTokenizer tokenizer, ClipTextModel textEncoder,
        UNet2DConditionModel unet, AutoencoderKL vae, JsonObject schedulerConfig, ModelPartOrigins origins,
        IReadOnlyList<string> weightFiles, bool singleFile, IReadOnlyList<string> warnings)
    {
        ModelFit.Check(path, tokenizer, textEncoder.Config, unet.Config, vae.Config, origins);
        Name = name;
        Path = path;
        Tokenizer = tokenizer;
        TextEncoder = textEncoder;
        UNet = unet;
        Vae = vae;
        _schedulerConfig = schedulerConfig;
        // The scheduler this config describes must exist: fail at load time, not at the first run.
        _ = SchedulerRegistry.FromConfig(SchedulerClassName, schedulerConfig);
        Origins = origins;
        _weightFiles = weightFiles;
        _singleFile = singleFile;
        Warnings = warnings;
        _hash = new Lazy<string?>(() => _weightFiles.Count == 0 ? null : ModelHash.Of(_weightFiles));
    }

    /// <summary>Short name for parameters and logs: the folder name, or the file name without extension.</summary>
    public string Name { get; }

    /// <summary>The folder or file the model was loaded from (or a description for models built from parts).</summary>
    public string Path { get; }

    public ClipTokenizer Tokenizer { get; }
    public ClipTextModel TextEncoder { get; }
    public UNet2DConditionModel UNet { get; }
    public AutoencoderKL Vae { get; }

    /// <summary>Where each part came from.</summary>
    public ModelPartOrigins Origins { get; }

    /// <summary>Everything worth telling the user about the files (unknown config fields, ignored keys, guesses), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The model's scheduler config (a diffusers <c>scheduler_config.json</c>), a fresh copy on each call.</summary>
    public JsonObject SchedulerConfig => _schedulerConfig.DeepClone().AsObject();

    /// <summary>The diffusers class of the model's own scheduler, e.g. <c>PNDMScheduler</c>.</summary>
    public string SchedulerClassName => _schedulerConfig["_class_name"]?.GetValue<string>()
        ?? throw new InvalidOperationException($"{Path}: the scheduler config has no _class_name.");

    /// <summary>Latent channels of the VAE (4 for SD).</summary>
    public int LatentChannels => Vae.Config.LatentChannels;

    /// <summary>Pixels per latent along each axis (8 for SD; diffusers' <c>vae_scale_factor</c>).</summary>
    public int VaeScaleFactor => Vae.SpatialFactor;

    /// <summary>True for a 9-channel (generally 2L + 1) inpainting UNet (gotcha G17).</summary>
    public bool IsInpainting => UNet.Config.InChannels == 2 * LatentChannels + 1;

    /// <summary>The image size the UNet was trained at (diffusers' default height and width): sample_size × VAE factor.</summary>
    public int DefaultImageSize => (UNet.Config.SampleSize ?? 64) * VaeScaleFactor;

    /// <summary>
    /// The short hash for generation parameters (see <see cref="ModelHash"/>): AUTOMATIC1111's AutoV2 for a single
    /// file. Computed on first use by reading every weight file once; null for a model built from parts in memory.
    /// </summary>
    public string? Hash => _hash.Value;

    /// <summary>True when the hash is AUTOMATIC1111's (a single-file checkpoint).</summary>
    public bool HashIsAutoV2 => _singleFile;

    /// <summary>
    /// Loads a diffusers folder (<c>model_index.json</c>, one folder per part) or a single-file safetensors checkpoint
    /// (ldm key names), strictly: every weight must be present with its shape, and the parts must fit together
    /// (<see cref="ModelFit"/>). A single file carries no tokenizer: pass <see cref="StableDiffusionLoadOptions.TokenizerFolder"/>.
    /// </summary>
    public static StableDiffusionModel Load(string path, StableDiffusionLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= StableDiffusionLoadOptions.Default;
        using var source = CheckpointSource.Open(path, options.Checkpoint);
        bool singleFile = source.Layout == CheckpointLayout.SingleFile;
        string fullPath = System.IO.Path.GetFullPath(path);
        string name = singleFile ? System.IO.Path.GetFileNameWithoutExtension(fullPath) : new DirectoryInfo(fullPath).Name;

        var textComponent = source.TextEncoder ?? throw new InvalidDataException(Missing(path, "text encoder", source));
        var unetComponent = source.UNet ?? throw new InvalidDataException(Missing(path, "UNet", source));
        var vaeComponent = source.Vae ?? throw new InvalidDataException(Missing(path, "VAE", source));
        var warnings = new List<string>(source.Warnings);
        var (tokenizer, tokenizerOrigin) = LoadTokenizer(source, options, warnings);

        var textEncoder = ClipTextModel.Load(textComponent);
        var unet = UNet2DConditionModel.FromComponent(unetComponent);
        var vae = AutoencoderKL.Load(vaeComponent);
        var origins = new ModelPartOrigins(tokenizerOrigin, textComponent.LoadedConfig.Path, unetComponent.LoadedConfig.Path, vaeComponent.LoadedConfig.Path);
        var weightFiles = WeightFiles(textComponent.Weights, unetComponent.Weights, vaeComponent.Weights);
        return new StableDiffusionModel(name, fullPath, tokenizer, textEncoder, unet, vae, SchedulerConfigOf(source), origins,
            weightFiles, singleFile, warnings);
    }

    /// <summary>
    /// A model from parts already in memory (tests, benchmarks, models trained here). <paramref name="schedulerConfig"/>
    /// is a diffusers scheduler config (e.g. <see cref="SchedulerRegistry.StableDiffusion15Config"/>). No hash.
    /// </summary>
    public static StableDiffusionModel FromParts(string name, ClipTokenizer tokenizer, ClipTextModel textEncoder,
        UNet2DConditionModel unet, AutoencoderKL vae, JsonObject schedulerConfig)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(schedulerConfig);
        var origins = new ModelPartOrigins("tokenizer in memory", "text encoder in memory", "UNet in memory", "VAE in memory");
        return new StableDiffusionModel(name, name, tokenizer, textEncoder, unet, vae, schedulerConfig.DeepClone().AsObject(),
            origins, [], singleFile: false, []);
    }

    /// <summary>
    /// This model with another UNet (e.g. a diffusers folder's inpainting UNet, <c>unet_inpaint/</c>), checked to fit
    /// the other parts. The hash then covers the new UNet's files only when it was loaded from a component folder.
    /// </summary>
    public StableDiffusionModel WithUNet(UNet2DConditionModel unet, string origin)
    {
        ArgumentNullException.ThrowIfNull(unet);
        ArgumentException.ThrowIfNullOrEmpty(origin);
        return new StableDiffusionModel(Name, Path, Tokenizer, TextEncoder, unet, Vae, _schedulerConfig, Origins with { UNet = origin },
            [], singleFile: false, Warnings);
    }

    /// <summary>
    /// A fresh scheduler for one run: the model's own (<paramref name="name"/> null) or the named one (see
    /// <see cref="SchedulerRegistry.Names"/>) configured from the model's config as diffusers'
    /// <c>X.from_config(pipe.scheduler.config)</c> does (so SD 1.5 keeps "leading" spacing, gotcha G23).
    /// </summary>
    public Scheduler CreateScheduler(string? name = null) =>
        name is null ? SchedulerRegistry.FromConfig(SchedulerClassName, SchedulerConfig) : SchedulerRegistry.Create(name, SchedulerConfig);

    private static (ClipTokenizer Tokenizer, string Origin) LoadTokenizer(CheckpointSource source, StableDiffusionLoadOptions options, List<string> warnings)
    {
        string? folder = options.TokenizerFolder;
        if (folder is null && source.Tokenizer is { } own)
            folder = System.IO.Path.GetDirectoryName(own.Config.VocabFile);
        if (folder is null)
        {
            throw new InvalidDataException(
                $"{source.Path}: a single-file checkpoint carries no tokenizer; pass the tokenizer folder of a diffusers model of the same family " +
                $"(vocab.json + merges.txt; {(source.Variant.Family == StableDiffusionFamily.V2 ? "stable-diffusion-2-1" : "stable-diffusion-v1-5")}/tokenizer).");
        }
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Tokenizer folder {folder} does not exist (expected vocab.json + merges.txt).");
        if (source.Layout != CheckpointLayout.SingleFile)
            return (ClipTokenizer.FromDirectory(folder), folder);

        // A single file does not say how its tokenizer pads: SD 2.x tokenizers pad with "!" (id 0), SD 1.x with
        // <|endoftext|> (gotcha G3). The family decides, whatever the folder's own config says.
        string pad = source.Variant.Family == StableDiffusionFamily.V2 ? "!" : "<|endoftext|>";
        using var vocab = File.OpenRead(System.IO.Path.Combine(folder, "vocab.json"));
        using var merges = File.OpenRead(System.IO.Path.Combine(folder, "merges.txt"));
        string configPath = System.IO.Path.Combine(folder, ClipTokenizerConfig.TokenizerConfigFileName);
        string mapPath = System.IO.Path.Combine(folder, ClipTokenizerConfig.SpecialTokensMapFileName);
        using var configStream = File.Exists(configPath) ? File.OpenRead(configPath) : null;
        using var mapStream = File.Exists(mapPath) ? File.OpenRead(mapPath) : null;
        var config = ClipTokenizerConfig.Read(configStream, mapStream, configPath, mapPath);
        if (config.PadToken != pad)
            warnings.Add($"{folder}: pad token '{config.PadToken}' replaced by '{pad}', the one Stable Diffusion {(pad == "!" ? "2.x" : "1.x")} tokenizers use (the checkpoint is {source.Variant.Family}).");
        return (ClipTokenizer.FromStreams(vocab, merges, config with { PadToken = pad }), folder);
    }

    /// <summary>The scheduler_config.json of a folder as written (its prediction type as Formats settled it), or SD 1.5's for a single file.</summary>
    private static JsonObject SchedulerConfigOf(CheckpointSource source)
    {
        var loaded = source.Scheduler;
        JsonObject config = source.Layout == CheckpointLayout.DiffusersFolder && File.Exists(loaded.Path)
            ? SchedulerRegistry.ParseConfig(File.ReadAllText(loaded.Path), loaded.Path)
            : SchedulerRegistry.StableDiffusion15Config();
        config["prediction_type"] = loaded.Config.PredictionType;
        return config;
    }

    /// <summary>The files holding the weights, text encoder first, then UNet, then VAE (a single file once).</summary>
    private static string[] WeightFiles(params ComponentWeights[] components) =>
        components.SelectMany(c => c.Tensors.Select(t => t.SourceFile).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal).ToArray();

    private static string Missing(string path, string part, CheckpointSource source) =>
        $"{path}: the checkpoint has no {part}" + (source.Warnings.Count > 0 ? $" ({string.Join("; ", source.Warnings)})." : ".");
}
