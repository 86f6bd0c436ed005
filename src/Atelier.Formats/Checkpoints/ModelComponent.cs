using System.Text.Json;

namespace Atelier.Formats.Checkpoints;

/// <summary>A model component ready to build: its typed config, where the config came from, and its weights by diffusers name.</summary>
public sealed class ModelComponent<TConfig> : IDisposable
{
    internal ModelComponent(string name, LoadedConfig<TConfig> config, ComponentWeights weights, IEnumerable<string>? extraWarnings = null)
    {
        Name = name;
        LoadedConfig = config;
        Weights = weights;
        Warnings = [.. config.Warnings, .. weights.Notes, .. extraWarnings ?? []];
    }

    /// <summary>The component's folder name in diffusers layout: <c>unet</c>, <c>vae</c>, <c>text_encoder</c>.</summary>
    public string Name { get; }

    public TConfig Config => LoadedConfig.Config;

    /// <summary>The config with its source, unknown fields and warnings.</summary>
    public LoadedConfig<TConfig> LoadedConfig { get; }

    public IReadOnlyDictionary<string, JsonElement> UnknownConfigFields => LoadedConfig.UnknownFields;

    public ComponentWeights Weights { get; }

    /// <summary>Config warnings and weight notes together, one line each.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public void Dispose() => Weights.Dispose();
}
