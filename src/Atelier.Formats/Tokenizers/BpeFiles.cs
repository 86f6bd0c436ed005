using System.Text;
using System.Text.Json;

namespace Atelier.Formats.Tokenizers;

/// <summary>One line of merges.txt: the two symbols whose concatenation becomes a new symbol.</summary>
internal readonly record struct BpeMerge(string Left, string Right, int Line);

/// <summary>
/// The two files of a byte-level BPE tokenizer in the Hugging Face layout: <c>vocab.json</c> (one JSON object,
/// token → id, ids 0..N-1) and <c>merges.txt</c> (a <c>#version: …</c> header line, then one merge per line, lowest
/// rank first: two symbols separated by one space). Reading checks the syntax; <see cref="BpeModel"/> checks
/// that the two files agree. Writing produces byte-identical output for identical input.
/// </summary>
internal static class BpeFiles
{
    public const string VocabFileName = "vocab.json";
    public const string MergesFileName = "merges.txt";
    public const string MergesHeader = "#version: 0.2";

    /// <summary>The tokens of vocab.json indexed by id.</summary>
    public static string[] ReadVocab(Stream stream, string name = VocabFileName)
    {
        byte[] json = ReadAll(stream);
        var byId = new Dictionary<int, string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, name, json, reader, "expected a JSON object mapping each token to its id");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string token = reader.GetString()!;
                long tokenOffset = reader.TokenStartIndex;
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int id) || id < 0)
                    throw new TokenizerFormatException(name, LineOf(json, reader.TokenStartIndex),
                        $"the id of token {Quote(token)} is {Describe(reader)}; expected a non-negative integer");
                if (!seen.Add(token))
                    throw new TokenizerFormatException(name, LineOf(json, tokenOffset), $"token {Quote(token)} appears twice; each token must have one id");
                if (byId.TryGetValue(id, out string? other))
                    throw new TokenizerFormatException(name, LineOf(json, tokenOffset), $"id {id} is given to both {Quote(other)} and {Quote(token)}; ids must be unique");
                byId.Add(id, token);
            }
            Expect(reader.TokenType == JsonTokenType.EndObject && !reader.Read(), name, json, reader, "expected the file to end after the JSON object");
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(name, (e.LineNumber ?? 0) + 1, $"not valid JSON: {e.Message}", e);
        }

        if (byId.Count == 0)
            throw new TokenizerFormatException(name, null, "the vocabulary is empty");
        var tokens = new string[byId.Count];
        for (int id = 0; id < tokens.Length; id++)
        {
            if (!byId.TryGetValue(id, out string? token))
                throw new TokenizerFormatException(name, null,
                    $"ids must run from 0 to {tokens.Length - 1} without gaps, but id {id} is missing (largest id {byId.Keys.Max()})");
            tokens[id] = token;
        }
        return tokens;
    }

    /// <summary>The merges of merges.txt in rank order (rank = position in the list).</summary>
    public static List<BpeMerge> ReadMerges(Stream stream, string name = MergesFileName)
    {
        var merges = new List<BpeMerge>();
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true));
        string? header;
        try
        {
            header = reader.ReadLine();
        }
        catch (DecoderFallbackException e)
        {
            throw new TokenizerFormatException(name, 1, "not valid UTF-8", e);
        }
        if (header is null || !header.StartsWith("#version", StringComparison.Ordinal))
            throw new TokenizerFormatException(name, 1,
                $"expected the header line '{MergesHeader}', found {(header is null ? "an empty file" : Quote(header))}");

        int lineNumber = 1;
        int blankLine = 0;
        while (true)
        {
            string? line;
            try
            {
                line = reader.ReadLine();
            }
            catch (DecoderFallbackException e)
            {
                throw new TokenizerFormatException(name, lineNumber + 1, "not valid UTF-8", e);
            }
            if (line is null)
                break;
            lineNumber++;
            if (line.Length == 0)
            {
                blankLine = blankLine == 0 ? lineNumber : blankLine;
                continue;
            }
            if (blankLine != 0)
                throw new TokenizerFormatException(name, blankLine, "blank line between merges; only the end of the file may be blank");
            int space = line.IndexOf(' ');
            if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
                throw new TokenizerFormatException(name, lineNumber,
                    $"expected two symbols separated by one space (\"left right\"), found {Quote(line)}");
            merges.Add(new BpeMerge(line[..space], line[(space + 1)..], lineNumber));
        }
        return merges;
    }

    public static void WriteVocab(Stream stream, IReadOnlyList<string> tokens)
    {
        var builder = new StringBuilder(tokens.Count * 12);
        builder.Append('{');
        for (int id = 0; id < tokens.Count; id++)
        {
            if (id > 0)
                builder.Append(", ");
            AppendJsonString(builder, tokens[id]);
            builder.Append(": ").Append(id);
        }
        builder.Append('}');
        WriteUtf8(stream, builder.ToString());
    }

    public static void WriteMerges(Stream stream, IReadOnlyList<(string Left, string Right)> merges)
    {
        var builder = new StringBuilder(merges.Count * 10);
        builder.Append(MergesHeader).Append('\n');
        foreach ((string left, string right) in merges)
            builder.Append(left).Append(' ').Append(right).Append('\n');
        WriteUtf8(stream, builder.ToString());
    }

    /// <summary>A JSON string literal: quotes, backslashes and control characters escaped, everything else as is.</summary>
    public static void AppendJsonString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case < ' ': builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: builder.Append(c); break;
            }
        }
        builder.Append('"');
    }

    public static string Quote(string value)
    {
        var builder = new StringBuilder();
        AppendJsonString(builder, value.Length > 80 ? value[..80] + "…" : value);
        return builder.ToString();
    }

    private static void WriteUtf8(Stream stream, string text)
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(text);
        stream.Write(bytes);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static void Expect(bool condition, string name, byte[] json, Utf8JsonReader reader, string expectation)
    {
        if (!condition)
            throw new TokenizerFormatException(name, LineOf(json, reader.TokenStartIndex), $"{expectation}, found {Describe(reader)}");
    }

    private static string Describe(Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.None => "the end of the file",
        JsonTokenType.String or JsonTokenType.PropertyName => $"the string {Quote(reader.GetString()!)}",
        JsonTokenType.Number => $"the number {Encoding.UTF8.GetString(reader.ValueSpan)}",
        _ => $"a JSON {reader.TokenType}",
    };

    private static long LineOf(byte[] json, long offset)
    {
        long line = 1;
        for (long i = 0; i < offset && i < json.Length; i++)
            if (json[i] == '\n')
                line++;
        return line;
    }
}
