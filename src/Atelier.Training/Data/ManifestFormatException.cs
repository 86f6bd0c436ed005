namespace Atelier.Training.Data;

/// <summary>A manifest line that does not follow the format; the message names file, line and column.</summary>
public sealed class ManifestFormatException(string path, int line, int column, string columnName, string problem)
    : Exception(column > 0
        ? $"{path}: line {line}, column {column} ({columnName}): {problem}"
        : $"{path}: line {line}: {problem}")
{
    public string Path { get; } = path;

    /// <summary>1-based line number (the header is line 1).</summary>
    public int Line { get; } = line;

    /// <summary>1-based column number, or 0 when the problem concerns the whole line.</summary>
    public int Column { get; } = column;

    public string ColumnName { get; } = columnName;
}
