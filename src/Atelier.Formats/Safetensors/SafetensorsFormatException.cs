namespace Atelier.Formats.Safetensors;

/// <summary>
/// A safetensors file (or a file claimed to be one) is malformed. The message names the file, the tensor or header
/// field at fault, what was found and what was expected; <see cref="Tensor"/> and <see cref="Field"/> repeat the
/// names for callers that want them without parsing the message.
/// </summary>
public sealed class SafetensorsFormatException : FormatException
{
    public SafetensorsFormatException(string path, string? tensor, string? field, string problem, Exception? inner = null)
        : base(Compose(path, tensor, field, problem), inner)
    {
        Path = path;
        Tensor = tensor;
        Field = field;
    }

    /// <summary>The file at fault.</summary>
    public string Path { get; }

    /// <summary>The tensor whose entry is at fault, when the problem is one entry.</summary>
    public string? Tensor { get; }

    /// <summary>The header field at fault (<c>dtype</c>, <c>shape</c>, <c>data_offsets</c>, <c>__metadata__</c>, <c>header length</c>...).</summary>
    public string? Field { get; }

    private static string Compose(string path, string? tensor, string? field, string problem)
    {
        string where = (tensor, field) switch
        {
            (not null, not null) => $" tensor '{tensor}', field '{field}':",
            (not null, null) => $" tensor '{tensor}':",
            (null, not null) => $" {field}:",
            _ => "",
        };
        return $"{path}: not a valid safetensors file:{where} {problem}";
    }
}
