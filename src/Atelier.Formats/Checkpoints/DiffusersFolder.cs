namespace Atelier.Formats.Checkpoints;

/// <summary>
/// Opens a diffusers pipeline folder: <c>model_index.json</c> says which component folders exist with which classes;
/// each is loaded with <see cref="DiffusersComponents"/>. What kind of SD it is comes from the configs: SD 2.x when the
/// UNet uses linear projections or a 1024-wide context, inpainting when the UNet takes 9 channels, the prediction
/// type from the scheduler config.
/// </summary>
internal static class DiffusersFolder
{
    private static readonly Dictionary<string, string[]> s_expectedClasses = new(StringComparer.Ordinal)
    {
        ["unet"] = [UNet2DConditionConfig.ClassName],
        ["vae"] = [AutoencoderKLConfig.ClassName],
        ["text_encoder"] = ["CLIPTextModel", "CLIPTextModelWithProjection"],
        ["tokenizer"] = ["CLIPTokenizer", "CLIPTokenizerFast"],
    };

    public static CheckpointSource Load(string folder, CheckpointOptions options)
    {
        string indexPath = Path.Combine(folder, "model_index.json");
        if (!File.Exists(indexPath))
        {
            string hint = File.Exists(Path.Combine(folder, "config.json"))
                ? " It has a config.json: it looks like one component folder; open it with DiffusersComponents.OpenUNet/OpenVae/OpenTextEncoder."
                : "";
            throw new CheckpointFormatException(folder, null, $"not a diffusers model folder: model_index.json is missing.{hint}");
        }
        var index = ModelIndex.Load(indexPath);
        var warnings = new List<string>();
        foreach (var component in index.Config.Components)
        {
            if (!component.IsPresent)
                continue;
            if (s_expectedClasses.TryGetValue(component.Name, out var classes))
            {
                if (!classes.Contains(component.ClassName))
                    throw new CheckpointFormatException(indexPath, component.Name,
                        $"class {component.ClassName} is not one Atelier loads here (expected {string.Join(" or ", classes)}).");
            }
            else if (component.Name != "scheduler")
            {
                warnings.Add($"{indexPath}: component '{component.Name}' ({component.Library}.{component.ClassName}) is not loaded by Atelier.");
            }
        }

        var owned = new List<IDisposable>();
        try
        {
            var unet = Present(index, "unet") ? Track(DiffusersComponents.OpenUNet(Path.Combine(folder, "unet"), options), owned) : null;
            var vae = Present(index, "vae") ? Track(DiffusersComponents.OpenVae(Path.Combine(folder, "vae"), options), owned) : null;
            var text = Present(index, "text_encoder") ? Track(DiffusersComponents.OpenTextEncoder(Path.Combine(folder, "text_encoder"), options), owned) : null;
            var tokenizer = Present(index, "tokenizer") ? TokenizerConfig.Load(Path.Combine(folder, "tokenizer")) : null;
            if (!Present(index, "scheduler"))
                throw new CheckpointFormatException(indexPath, "scheduler", "the model has no scheduler; a diffusion pipeline needs one.");
            var scheduler = SchedulerConfig.Load(Path.Combine(folder, "scheduler", "scheduler_config.json"));
            foreach (string name in new[] { "unet", "vae", "text_encoder" })
            {
                if (!Present(index, name))
                    warnings.Add($"{indexPath}: the model has no {name}.");
            }

            string prediction = options.PredictionType ?? scheduler.Config.PredictionType;
            string source = options.PredictionType is null ? $"{scheduler.Path}: prediction_type" : "CheckpointOptions.PredictionType";
            if (options.PredictionType is not null && scheduler.Config.PredictionType != options.PredictionType)
            {
                warnings.Add($"{scheduler.Path}: prediction_type \"{scheduler.Config.PredictionType}\" overridden by the option: \"{options.PredictionType}\".");
                scheduler = new LoadedConfig<SchedulerConfig>(scheduler.Path, scheduler.Config with { PredictionType = prediction }, scheduler.UnknownFields, scheduler.Warnings);
            }
            var variant = new StableDiffusionVariant(
                Family(unet?.Config, text?.Config),
                unet?.Config.InChannels == 9,
                prediction,
                source,
                EmaUsage.Absent);
            return new CheckpointSource(folder, CheckpointLayout.DiffusersFolder, variant, unet, vae, text, tokenizer, scheduler, index, [], warnings, []);
        }
        catch
        {
            foreach (var component in owned)
                component.Dispose();
            throw;
        }
    }

    /// <summary>SD 2.x: linear projections or a 1024-wide context in the UNet, or a gelu text encoder (OpenCLIP); SD 1.x otherwise.</summary>
    internal static StableDiffusionFamily Family(UNet2DConditionConfig? unet, ClipTextConfig? text)
    {
        if (unet is not null)
            return unet.UseLinearProjection || unet.CrossAttentionDim.Scalar == 1024 ? StableDiffusionFamily.V2 : StableDiffusionFamily.V1;
        return text?.HiddenAct == "gelu" ? StableDiffusionFamily.V2 : StableDiffusionFamily.V1;
    }

    private static bool Present(LoadedConfig<ModelIndex> index, string name) => index.Config.Find(name)?.IsPresent == true;

    private static T Track<T>(T component, List<IDisposable> owned) where T : IDisposable
    {
        owned.Add(component);
        return component;
    }
}
