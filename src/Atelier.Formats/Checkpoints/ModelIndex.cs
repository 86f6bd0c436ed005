using System.Text.Json;

namespace Atelier.Formats.Checkpoints;

/// <summary>One entry of <c>model_index.json</c>: a component folder and the library class that loads it (both null for an absent component).</summary>
public sealed record ModelIndexComponent(string Name, string? Library, string? ClassName)
{
    public bool IsPresent => ClassName is not null;
}

/// <summary>
/// <c>model_index.json</c> of a diffusers pipeline folder: the pipeline class and which component folders exist
/// with which classes (<c>"unet": ["diffusers", "UNet2DConditionModel"]</c>). Non-component fields are pipeline
/// arguments such as <c>requires_safety_checker</c>.
/// </summary>
public sealed record ModelIndex(string PipelineClass, string? DiffusersVersion, ValueArray<ModelIndexComponent> Components)
{
    /// <summary>Pipeline arguments diffusers' SD pipelines take; other non-component fields are reported.</summary>
    private static readonly HashSet<string> s_pipelineArguments = new(StringComparer.Ordinal)
    {
        "requires_safety_checker", "force_zeros_for_empty_prompt", "add_watermarker", "requires_aesthetics_score",
    };

    public ModelIndexComponent? Find(string name) => Components.FirstOrDefault(c => c.Name == name);

    public static LoadedConfig<ModelIndex> Load(string path)
    {
        var reader = ConfigReader.Load(path);
        string pipeline = reader.RequiredString("_class_name");
        string? version = reader.NullableString("_diffusers_version", null);
        reader.Known("_name_or_path", "_commit_hash");
        var components = new List<ModelIndexComponent>();
        var warnings = new List<string>();
        foreach (var (name, value) in reader.Unread())
        {
            if (name.StartsWith('_'))
                continue;
            if (value.ValueKind == JsonValueKind.Array)
            {
                reader.Known(name);
                if (value.GetArrayLength() != 2 || value.EnumerateArray().Any(v => v.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)))
                    throw reader.Error(name, $"a component entry must be [library, class] with strings or nulls, found {value.GetRawText()}.");
                string? library = value[0].ValueKind == JsonValueKind.Null ? null : value[0].GetString();
                string? className = value[1].ValueKind == JsonValueKind.Null ? null : value[1].GetString();
                components.Add(new ModelIndexComponent(name, library, className));
            }
            else if (s_pipelineArguments.Contains(name))
            {
                // Left unread: kept in UnknownFields for whoever wants the value, and not worth a warning.
            }
            else
            {
                warnings.Add($"{path}: field '{name}' = {value.GetRawText()} is neither a component nor a known pipeline argument; kept, not used.");
            }
        }
        var index = new ModelIndex(pipeline, version, components.ToArray());
        var unknown = reader.Unread();
        return new LoadedConfig<ModelIndex>(path, index, unknown, warnings);
    }
}
