namespace Atelier.Formats.Checkpoints;

/// <summary>
/// A model folder, config file or checkpoint does not have the shape Atelier expects. The message names the file,
/// the field or tensor key at fault, what was found and what was expected.
/// </summary>
public sealed class CheckpointFormatException : FormatException
{
    public CheckpointFormatException(string path, string? field, string problem, Exception? inner = null)
        : base(field is null ? $"{path}: {problem}" : $"{path}: '{field}': {problem}", inner)
    {
        Path = path;
        Field = field;
    }

    /// <summary>The file or folder at fault.</summary>
    public string Path { get; }

    /// <summary>The config field or tensor key at fault, when there is one.</summary>
    public string? Field { get; }
}
