namespace Atelier.Formats.Tokenizers;

/// <summary>
/// A tokenizer file (vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json) that cannot be
/// used as it is. The message names the file, the line when there is one, what was found and what was expected.
/// </summary>
public sealed class TokenizerFormatException : FormatException
{
    public TokenizerFormatException(string fileName, long? lineNumber, string problem, Exception? inner = null)
        : base(Compose(fileName, lineNumber, problem), inner)
    {
        FileName = fileName;
        LineNumber = lineNumber;
    }

    /// <summary>The file (or stream name) that holds the problem.</summary>
    public string FileName { get; }

    /// <summary>1-based line of the problem, when the problem sits on one line.</summary>
    public long? LineNumber { get; }

    private static string Compose(string fileName, long? lineNumber, string problem)
        => lineNumber is { } line ? $"{fileName} line {line}: {problem}" : $"{fileName}: {problem}";
}
