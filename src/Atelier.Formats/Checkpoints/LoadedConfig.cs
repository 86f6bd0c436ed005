using System.Text.Json;

namespace Atelier.Formats.Checkpoints;

/// <summary>
/// A typed config with what did not fit it: fields Atelier does not know (kept verbatim) and warnings the CLI can
/// print (one line each, naming the file and field).
/// </summary>
public sealed class LoadedConfig<T>
{
    public LoadedConfig(string path, T config, IReadOnlyDictionary<string, JsonElement> unknownFields, IReadOnlyList<string> warnings)
    {
        Path = path;
        Config = config;
        UnknownFields = unknownFields;
        Warnings = warnings;
    }

    /// <summary>The file read, or a description of where the config came from (e.g. "inferred from tensor shapes of ...").</summary>
    public string Path { get; }

    public T Config { get; }

    /// <summary>Fields present in the file that the typed config does not hold, in file order.</summary>
    public IReadOnlyDictionary<string, JsonElement> UnknownFields { get; }

    public IReadOnlyList<string> Warnings { get; }

    internal static LoadedConfig<T> From(ConfigReader reader, T config, string typeName, IEnumerable<string>? extraWarnings = null, IReadOnlySet<string>? silent = null)
    {
        var unknown = reader.Unread();
        var warnings = new List<string>();
        foreach (string name in unknown.Keys)
        {
            if (silent is not null && silent.Contains(name))
                continue;
            warnings.Add($"{reader.Path}: field '{name}' is not part of {typeName}; kept, not used.");
        }
        if (extraWarnings is not null)
            warnings.AddRange(extraWarnings);
        return new LoadedConfig<T>(reader.Path, config, unknown, warnings);
    }
}
