using System.Globalization;
using System.Text.RegularExpressions;
using Atelier.Formats.Safetensors;

namespace Atelier.Formats.Checkpoints;

/// <summary>
/// Opens a single-file SD 1.x / 2.x checkpoint (original CompVis ldm key names) and presents it in diffusers names.
/// </summary>
/// <remarks>
/// <para>Keys by prefix: <c>model.diffusion_model.</c> UNet (<see cref="LdmUNetLayout"/>), <c>first_stage_model.</c> VAE
/// (<see cref="LdmVaeLayout"/>), <c>cond_stage_model.transformer.</c> SD 1.x CLIP (<see cref="LdmClipTextLayout"/>),
/// <c>cond_stage_model.model.</c> SD 2.x OpenCLIP (<see cref="OpenClipTextLayout"/>). Ignored with a report: the
/// DDPM schedule buffers (betas, alphas_cumprod, ...), <c>model_ema.decay/num_updates</c>, the unused copy of the UNet
/// when EMA weights exist, VAE training-loss weights, position_ids, and any key outside these prefixes. A key under a
/// component prefix that does not map is an error (it would mean another architecture). SDXL files
/// (<c>conditioner.*</c>) are refused.</para>
/// <para>Everything is a view onto the mapped file except OpenCLIP's optional text projection (transposed).</para>
/// <para>Read from shapes alone: SD 1.x vs 2.x (OpenCLIP text keys, linear proj_in/proj_out, 1024-wide context),
/// inpainting (9 UNet input channels), all sizes. Not in the shapes, so decided as follows:</para>
/// <list type="bullet">
/// <item>prediction type: <see cref="CheckpointOptions.PredictionType"/>; else metadata <c>modelspec.prediction_type</c>
///   (<c>v</c>/<c>epsilon</c>) or <c>modelspec.architecture</c> ending in <c>-v</c>; else a <c>v_pred</c> marker key
///   (ComfyUI/Forge convention); else an A1111 sidecar <c>&lt;name&gt;.yaml</c> saying <c>parameterization: "v"</c>; else
///   epsilon. SD 2.x 768-v models carrying none of these cannot be told from SD 2.x-base: they load as epsilon with a
///   warning, and the option fixes it.</item>
/// <item>image size (UNet sample_size = size / VAE scale, VAE sample_size = size): the option; else metadata
///   <c>modelspec.resolution</c>; else 768 for v-prediction SD 2.x, 512 otherwise.</item>
/// <item>heads: the options; else SD 1.x: 8 per block (ldm <c>num_heads: 8</c>), SD 2.x: channels / 64 (ldm
///   <c>num_head_channels: 64</c>); text encoder hidden / 64.</item>
/// <item>EMA: with both raw and <c>model_ema.*</c> UNet weights, the EMA ones unless <see cref="CheckpointOptions.PreferEma"/>
///   is false. ldm stores EMA keys without dots (<c>model_ema.diffusion_modelinput_blocks00weight</c>), so each UNet key
///   finds its EMA twin by removing the dots. A file with only dotless EMA keys cannot be mapped back unambiguously and is refused.</item>
/// <item>scheduler: SD 1.5's PNDM config with the prediction type above; VAE scaling factor 0.18215 unless given.</item>
/// </list>
/// </remarks>
internal static partial class SingleFileCheckpoint
{
    private const string UNetPrefix = "model.diffusion_model.";
    private const string EmaPrefix = "model_ema.";
    private const string VaePrefix = "first_stage_model.";

    /// <summary>Buffers of ldm's DDPM / LatentDiffusion modules: the noise schedule, recomputed by the scheduler.</summary>
    private static readonly HashSet<string> s_scheduleBuffers = new(StringComparer.Ordinal)
    {
        "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod",
        "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
        "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2", "logvar", "lvlb_weights",
        "model_ema.decay", "model_ema.num_updates",
    };

    public static CheckpointSource Load(string path, CheckpointOptions options)
    {
        var file = SafetensorsFile.Open(path);
        var leases = new List<IDisposable>();
        try
        {
            return Build(file, options, leases);
        }
        catch
        {
            foreach (var lease in leases)
                lease.Dispose();
            file.Dispose();
            throw;
        }
    }

    private static CheckpointSource Build(SafetensorsFile file, CheckpointOptions options, List<IDisposable> leases)
    {
        string path = file.Path;
        var warnings = new List<string>();
        var ignored = new List<string>();
        var unetKeys = new Dictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        var emaKeys = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var vaeKeys = new Dictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        var clipKeys = new Dictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        var openClipKeys = new Dictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        var other = new List<string>();
        int scheduleBuffers = 0, lossWeights = 0;

        foreach (var info in file.Tensors)
        {
            string key = info.Name;
            if (key.StartsWith(UNetPrefix, StringComparison.Ordinal))
                unetKeys[key[UNetPrefix.Length..]] = CheckpointTensor.FromFile(file, info, key[UNetPrefix.Length..]);
            else if (s_scheduleBuffers.Contains(key))
            {
                ignored.Add(key);
                scheduleBuffers++;
            }
            else if (key.StartsWith(EmaPrefix, StringComparison.Ordinal))
                emaKeys[key] = info;
            else if (key.StartsWith(VaePrefix + "loss.", StringComparison.Ordinal))
            {
                ignored.Add(key);
                lossWeights++;
            }
            else if (key.StartsWith(VaePrefix, StringComparison.Ordinal))
                vaeKeys[key[VaePrefix.Length..]] = CheckpointTensor.FromFile(file, info, key[VaePrefix.Length..]);
            else if (key.StartsWith(LdmClipTextLayout.Prefix, StringComparison.Ordinal))
                clipKeys[key[LdmClipTextLayout.Prefix.Length..]] = CheckpointTensor.FromFile(file, info, key[LdmClipTextLayout.Prefix.Length..]);
            else if (key.StartsWith(OpenClipTextLayout.Prefix, StringComparison.Ordinal))
                openClipKeys[key[OpenClipTextLayout.Prefix.Length..]] = CheckpointTensor.FromFile(file, info, key[OpenClipTextLayout.Prefix.Length..]);
            else if (key.StartsWith("conditioner.", StringComparison.Ordinal))
                throw new CheckpointFormatException(path, key, "conditioner.* keys mean an SDXL checkpoint; Atelier runs SD 1.x and 2.x.");
            else if (key.StartsWith("cond_stage_model.", StringComparison.Ordinal))
                throw new CheckpointFormatException(path, key, "an unknown text encoder layout (expected cond_stage_model.transformer.* for SD 1.x or cond_stage_model.model.* for SD 2.x).");
            else
                other.Add(key);
        }
        if (unetKeys.Count == 0 && vaeKeys.Count == 0 && clipKeys.Count == 0 && openClipKeys.Count == 0)
        {
            throw new CheckpointFormatException(path, null,
                emaKeys.Count > 0
                    ? "only model_ema.* weights: ldm stores them without dots, which cannot be mapped back to UNet keys unambiguously. Re-save the EMA weights under model.diffusion_model.* (e.g. with an 'ema-only' pruning tool)."
                    : "no Stable Diffusion weights (model.diffusion_model.*, first_stage_model.*, cond_stage_model.*): not an ldm single-file checkpoint. A diffusers component file is opened with DiffusersComponents.");
        }
        if (clipKeys.Count > 0 && openClipKeys.Count > 0)
            throw new CheckpointFormatException(path, null, "holds both a CLIP (cond_stage_model.transformer.*) and an OpenCLIP (cond_stage_model.model.*) text encoder.");

        if (scheduleBuffers > 0)
            warnings.Add($"{path}: ignored {scheduleBuffers} training buffers (the DDPM schedule: betas, alphas_cumprod, ..., which the scheduler recomputes; EMA decay/num_updates).");
        if (lossWeights > 0)
            warnings.Add($"{path}: ignored {lossWeights} VAE training-loss tensors (first_stage_model.loss.*).");

        // EMA: choose the UNet weights.
        var ema = ChooseUNetWeights(file, unetKeys, emaKeys, options, ignored, warnings);

        // Family and the facts shapes cannot give.
        var family = openClipKeys.Count > 0 ? StableDiffusionFamily.V2
            : clipKeys.Count > 0 ? StableDiffusionFamily.V1
            : UNetLooksV2(unetKeys) ? StableDiffusionFamily.V2 : StableDiffusionFamily.V1;
        var (prediction, predictionSource) = DetectPredictionType(file, options);
        if (other.Remove("v_pred"))
            ignored.Add("v_pred");
        if (other.Remove("ztsnr"))
            ignored.Add("ztsnr");
        if (other.Count > 0)
        {
            ignored.AddRange(other);
            warnings.Add($"{path}: ignored {other.Count} key(s) outside the SD components: {string.Join(", ", other.Take(5))}{(other.Count > 5 ? ", …" : "")}.");
        }
        if (family == StableDiffusionFamily.V2 && prediction == "epsilon" && options.PredictionType is null && predictionSource.StartsWith("default", StringComparison.Ordinal))
            warnings.Add($"{path}: an SD 2.x checkpoint with no prediction-type hint; assuming epsilon. SD 2.x 768-v models (e.g. 2.0-v, 2.1) need CheckpointOptions.PredictionType = \"v_prediction\".");

        int imageSize = options.ImageSize ?? ResolutionFromMetadata(file) ?? (family == StableDiffusionFamily.V2 && prediction == "v_prediction" ? 768 : 512);
        string imageSizeSource = options.ImageSize is not null ? "CheckpointOptions.ImageSize"
            : ResolutionFromMetadata(file) is not null ? "metadata modelspec.resolution" : "the SD default for this variant";

        // VAE.
        ModelComponent<AutoencoderKLConfig>? vae = null;
        int vaeScale = 8;
        if (vaeKeys.Count > 0)
        {
            var notes = new List<string>();
            var layout = LdmVaeLayout.Infer(vaeKeys, path);
            int reshaped = 0;
            var tensors = MapAll(vaeKeys, VaePrefix, key => layout.ToDiffusers(key), path, (name, tensor) =>
            {
                if (!LdmVaeLayout.IsAttentionProjectionWeight(name) || tensor.Rank != 4 || tensor.Shape[2] != 1 || tensor.Shape[3] != 1)
                    return tensor.Rename(name);
                reshaped++;
                return tensor.Reshape(name, tensor.Shape[0], tensor.Shape[1]);
            });
            if (reshaped > 0)
                notes.Add($"{path}: {reshaped} VAE attention q/k/v/proj_out weights stored as 1x1 convs [C, C, 1, 1] are viewed as Linear [C, C] (same bytes, no copy).");
            var config = layout.ToConfig(vaeKeys, imageSize, options.VaeScalingFactor ?? 0.18215, path);
            vaeScale = config.SpatialScaleFactor;
            vae = Component("vae", config, path, tensors, file, leases, notes,
                [$"{path}: VAE sample_size = {imageSize} from {imageSizeSource}; scaling_factor = {config.ScalingFactor} ({(options.VaeScalingFactor is null ? "SD 1.x/2.x default" : "CheckpointOptions.VaeScalingFactor")})."]);
        }
        else
        {
            warnings.Add($"{path}: no VAE weights (first_stage_model.*); supply a VAE separately.");
        }

        // UNet.
        ModelComponent<UNet2DConditionConfig>? unet = null;
        if (unetKeys.Count > 0)
        {
            var layout = LdmUNetLayout.Infer(unetKeys, path);
            var tensors = MapAll(unetKeys, UNetPrefix, key => layout.ToDiffusers(key), path, (name, tensor) => tensor.Rename(name));
            var (heads, headsSource) = UNetHeads(layout, family, options, path);
            if (imageSize % vaeScale != 0)
                throw new CheckpointFormatException(path, null, $"image size {imageSize} is not a multiple of the VAE scale factor {vaeScale}.");
            var config = layout.ToConfig(unetKeys, family, heads, imageSize / vaeScale, path);
            unet = Component("unet", config, path, tensors, file, leases, [],
                [$"{path}: UNet attention_head_dim (heads per block) = {heads} from {headsSource}; sample_size = {imageSize / vaeScale} = {imageSize} / {vaeScale} from {imageSizeSource}."]);
        }
        else
        {
            warnings.Add($"{path}: no UNet weights (model.diffusion_model.*).");
        }

        // Text encoder.
        ModelComponent<ClipTextConfig>? text = null;
        if (clipKeys.Count > 0 || openClipKeys.Count > 0)
        {
            var notes = new List<string>();
            var (tensors, config) = clipKeys.Count > 0
                ? LdmClipTextLayout.Map(clipKeys, options.TextAttentionHeads, notes, ignored, path)
                : OpenClipTextLayout.Map(openClipKeys, options.TextAttentionHeads, options.IncludeTextProjection, notes, ignored, path);
            string headsSource = options.TextAttentionHeads is null ? "hidden_size / 64 (SD's CLIP towers)" : "CheckpointOptions.TextAttentionHeads";
            text = Component("text_encoder", config, path, tensors, file, leases, notes,
                [$"{path}: text encoder num_attention_heads = {config.NumAttentionHeads} from {headsSource}."]);
        }
        else
        {
            warnings.Add($"{path}: no text encoder weights (cond_stage_model.*); supply one separately.");
        }

        var scheduler = new LoadedConfig<SchedulerConfig>(
            $"{path} (no scheduler config in single files: SD 1.5's PNDM config)",
            SchedulerConfig.StableDiffusion15 with { PredictionType = prediction },
            new Dictionary<string, System.Text.Json.JsonElement>(),
            []);
        var variant = new StableDiffusionVariant(family, unet?.Config.InChannels == 9, prediction, predictionSource, ema);
        return new CheckpointSource(path, CheckpointLayout.SingleFile, variant, unet, vae, text, null, scheduler, null, ignored, warnings, [file]);
    }

    private static EmaUsage ChooseUNetWeights(SafetensorsFile file, Dictionary<string, CheckpointTensor> unetKeys,
        Dictionary<string, SafetensorsTensorInfo> emaKeys, CheckpointOptions options, List<string> ignored, List<string> warnings)
    {
        string path = file.Path;
        if (emaKeys.Count == 0)
            return EmaUsage.Absent;
        if (unetKeys.Count == 0)
            throw new CheckpointFormatException(path, null,
                "only model_ema.* UNet weights: ldm stores them without dots, which cannot be mapped back to UNet keys unambiguously. Re-save them under model.diffusion_model.*.");

        if (!options.PreferEma)
        {
            ignored.AddRange(emaKeys.Keys);
            warnings.Add($"{path}: ignored {emaKeys.Count} EMA tensors (model_ema.*) because PreferEma is false; the raw UNet weights are used.");
            return EmaUsage.Ignored;
        }

        var twins = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        foreach (var (key, tensor) in unetKeys)
        {
            string twin = EmaPrefix + ("diffusion_model." + key).Replace(".", "", StringComparison.Ordinal);
            if (!emaKeys.TryGetValue(twin, out var info))
                throw new CheckpointFormatException(path, twin,
                    $"the file has EMA weights but none for {UNetPrefix}{key}; open with PreferEma = false to use the raw weights.");
            if (info.DType != tensor.FileDType || !info.Shape.SequenceEqual(tensor.Shape))
                throw new CheckpointFormatException(path, twin,
                    $"is {info.DType.ToHeaderString()} [{string.Join(", ", info.Shape)}] but {UNetPrefix}{key} is {tensor.FileDType.ToHeaderString()} [{string.Join(", ", tensor.Shape)}].");
            twins[key] = info;
        }
        var used = new HashSet<string>(twins.Values.Select(t => t.Name), StringComparer.Ordinal);
        ignored.AddRange(emaKeys.Keys.Where(key => !used.Contains(key)));
        foreach (var (key, info) in twins)
        {
            ignored.Add(UNetPrefix + key);
            unetKeys[key] = CheckpointTensor.FromFile(file, info, key);
        }
        warnings.Add($"{path}: using the EMA UNet weights (model_ema.*); the {twins.Count} raw model.diffusion_model.* tensors are ignored (PreferEma).");
        return EmaUsage.Used;
    }

    private static bool UNetLooksV2(Dictionary<string, CheckpointTensor> unet)
    {
        foreach (var (key, tensor) in unet)
        {
            if (key.EndsWith(".proj_in.weight", StringComparison.Ordinal) && tensor.Rank == 2)
                return true;
            if (key.EndsWith(".attn2.to_k.weight", StringComparison.Ordinal) && tensor.Rank == 2 && tensor.Shape[1] == 1024)
                return true;
        }
        return false;
    }

    private static (IntOrList Heads, string Source) UNetHeads(LdmUNetLayout layout, StableDiffusionFamily family, CheckpointOptions options, string path)
    {
        if (options.UNetAttentionHeads is { } given)
            return (given, "CheckpointOptions.UNetAttentionHeads");
        if (family == StableDiffusionFamily.V1)
            return (IntOrList.Of(8), "the SD 1.x convention (8 heads; not in the weights)");
        var heads = new int[layout.Levels];
        for (int i = 0; i < heads.Length; i++)
        {
            if (layout.Channels[i] % 64 != 0)
                throw new CheckpointFormatException(path, "model.diffusion_model",
                    $"SD 2.x uses 64-wide heads, but level {i} has {layout.Channels[i]} channels; pass CheckpointOptions.UNetAttentionHeads.");
            heads[i] = layout.Channels[i] / 64;
        }
        return (IntOrList.Of(heads), "the SD 2.x convention (64-wide heads; not in the weights)");
    }

    private static (string Type, string Source) DetectPredictionType(SafetensorsFile file, CheckpointOptions options)
    {
        if (options.PredictionType is { } forced)
        {
            if (forced is not ("epsilon" or "v_prediction" or "sample"))
                throw new ArgumentException($"PredictionType must be epsilon, v_prediction or sample, not \"{forced}\".", nameof(options));
            return (forced, "CheckpointOptions.PredictionType");
        }
        if (file.GetMetadata("modelspec.prediction_type") is { } declared)
        {
            return declared.Trim().ToLowerInvariant() switch
            {
                "v" or "v_prediction" or "v-prediction" => ("v_prediction", "metadata modelspec.prediction_type"),
                "epsilon" or "eps" => ("epsilon", "metadata modelspec.prediction_type"),
                _ => throw new CheckpointFormatException(file.Path, "modelspec.prediction_type", $"unknown value \"{declared}\" (expected v or epsilon)."),
            };
        }
        if (file.GetMetadata("modelspec.architecture") is { } architecture && architecture.EndsWith("-v", StringComparison.Ordinal))
            return ("v_prediction", $"metadata modelspec.architecture = {architecture}");
        if (file.Contains("v_pred"))
            return ("v_prediction", "the v_pred marker key");
        string yaml = Path.ChangeExtension(file.Path, ".yaml");
        if (File.Exists(yaml) && new FileInfo(yaml).Length < 1 << 20 && File.ReadLines(yaml).Any(line => VParameterization().IsMatch(line)))
            return ("v_prediction", $"{yaml}: parameterization: v");
        return ("epsilon", "default (nothing in the file says v-prediction)");
    }

    /// <summary>The ldm config line an A1111 sidecar yaml uses for v-models: <c>parameterization: "v"</c>.</summary>
    [GeneratedRegex("""^\s*parameterization:\s*["']?v["']?\s*(#.*)?$""")]
    private static partial Regex VParameterization();

    private static int? ResolutionFromMetadata(SafetensorsFile file)
    {
        if (file.GetMetadata("modelspec.resolution") is not { } text)
            return null;
        var match = Regex.Match(text, @"^\s*(\d+)\s*x\s*(\d+)\s*$");
        if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int width) || width <= 0)
            throw new CheckpointFormatException(file.Path, "modelspec.resolution", $"expected \"<width>x<height>\", found \"{text}\".");
        return width;
    }

    private static List<CheckpointTensor> MapAll(Dictionary<string, CheckpointTensor> tensors, string prefix, Func<string, string?> map, string path,
        Func<string, CheckpointTensor, CheckpointTensor> make)
    {
        var result = new List<CheckpointTensor>(tensors.Count);
        var unmapped = new List<string>();
        foreach (var (key, tensor) in tensors)
        {
            string? name = map(key);
            if (name is null)
                unmapped.Add(prefix + key);
            else
                result.Add(make(name, tensor));
        }
        if (unmapped.Count > 0)
        {
            unmapped.Sort(StringComparer.Ordinal);
            throw new CheckpointFormatException(path, unmapped[0],
                $"does not fit the inferred Stable Diffusion structure ({unmapped.Count} such keys: {string.Join(", ", unmapped.Take(5))}{(unmapped.Count > 5 ? ", …" : "")}).");
        }
        return result;
    }

    private static ModelComponent<T> Component<T>(string name, T config, string path, List<CheckpointTensor> tensors, SafetensorsFile file,
        List<IDisposable> leases, List<string> notes, IEnumerable<string> inferenceNotes)
    {
        var lease = file.Storage.Retain();
        leases.Add(lease);
        var weights = new ComponentWeights($"{path} ({name})", tensors, [lease], notes);
        var loaded = new LoadedConfig<T>($"{path} ({name} config inferred from tensor shapes)", config, new Dictionary<string, System.Text.Json.JsonElement>(), [.. inferenceNotes]);
        return new ModelComponent<T>(name, loaded, weights);
    }
}
