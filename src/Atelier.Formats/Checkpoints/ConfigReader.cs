using System.Globalization;
using System.Text.Json;

namespace Atelier.Formats.Checkpoints;

/// <summary>
/// Reads one JSON config object field by field with the types diffusers/transformers use, remembering which fields
/// were read so the rest can be kept and reported as unknown. Every type error names the file, the field and the
/// expected type; absent fields take the default the caller passes (the library class's default).
/// </summary>
internal sealed class ConfigReader
{
    /// <summary>Config files are small; anything larger is not a config (and is not read into memory).</summary>
    public const long MaxConfigBytes = 16 << 20;

    private readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private ConfigReader(string path, JsonElement root)
    {
        Path = path;
        if (root.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException(path, null, $"expected a JSON object, found {Describe(root)}.");
        foreach (var property in root.EnumerateObject())
        {
            if (!_fields.TryAdd(property.Name, property.Value.Clone()))
                throw new CheckpointFormatException(path, property.Name, "the field appears twice.");
            _order.Add(property.Name);
        }
    }

    public string Path { get; }

    public static ConfigReader Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new CheckpointFormatException(path, null, "the config file is missing.");
        if (info.Length > MaxConfigBytes)
            throw new CheckpointFormatException(path, null, $"the file is {info.Length} bytes; a config file is at most {MaxConfigBytes} bytes.");
        byte[] bytes = PythonJson.QuoteNonFiniteLiterals(File.ReadAllBytes(path));
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
            return new ConfigReader(path, document.RootElement);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, null, $"not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>A reader over an object already parsed (e.g. one config inside a larger JSON file); <paramref name="source"/> names it in messages.</summary>
    public static ConfigReader FromElement(JsonElement element, string source) => new(source, element);

    public bool Has(string name) => _fields.ContainsKey(name);

    /// <summary>Marks fields as known without typing them (bookkeeping such as <c>_diffusers_version</c>).</summary>
    public void Known(params string[] names)
    {
        foreach (string name in names)
            _read.Add(name);
    }

    /// <summary>The fields never read, in file order (values cloned, safe to keep).</summary>
    public IReadOnlyDictionary<string, JsonElement> Unread()
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (string name in _order)
        {
            if (!_read.Contains(name))
                result.Add(name, _fields[name]);
        }
        return result;
    }

    public string? RawText(string name) => _fields.TryGetValue(name, out var value) ? value.GetRawText() : null;

    public int Int(string name, int fallback) => TryGet(name, out var e) ? ToInt(name, e) : fallback;

    public int? NullableInt(string name, int? fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        return e.ValueKind == JsonValueKind.Null ? null : ToInt(name, e, "an integer or null");
    }

    public double Double(string name, double fallback) => TryGet(name, out var e) ? ToDouble(name, e) : fallback;

    public double? NullableDouble(string name, double? fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        return e.ValueKind == JsonValueKind.Null ? null : ToDouble(name, e, "a number or null");
    }

    public bool Bool(string name, bool fallback) => TryGet(name, out var e) ? ToBool(name, e) : fallback;

    public bool? NullableBool(string name, bool? fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        return e.ValueKind == JsonValueKind.Null ? null : ToBool(name, e, "a boolean or null");
    }

    public string String(string name, string fallback) => TryGet(name, out var e) ? ToString(name, e) : fallback;

    public string? NullableString(string name, string? fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        return e.ValueKind == JsonValueKind.Null ? null : ToString(name, e, "a string or null");
    }

    public string RequiredString(string name)
    {
        if (!TryGet(name, out var e))
            throw new CheckpointFormatException(Path, name, "the required field is missing (expected a string).");
        return ToString(name, e);
    }

    public ValueArray<int> IntList(string name, ValueArray<int> fallback) =>
        TryGet(name, out var e) ? ToList(name, e, "a list of integers", x => ToInt(name, x, "a list of integers")) : fallback;

    public ValueArray<string> StringList(string name, ValueArray<string> fallback) =>
        TryGet(name, out var e) ? ToList(name, e, "a list of strings", x => ToString(name, x, "a list of strings")) : fallback;

    public ValueArray<string>? NullableStringList(string name, ValueArray<string>? fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        return e.ValueKind == JsonValueKind.Null ? null : ToList(name, e, "a list of strings or null", x => ToString(name, x, "a list of strings or null"));
    }

    public ValueArray<double>? NullableDoubleList(string name, ValueArray<double>? fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        return e.ValueKind == JsonValueKind.Null ? null : ToList(name, e, "a list of numbers or null", x => ToDouble(name, x, "a list of numbers or null"));
    }

    public IntOrList IntOrList(string name, IntOrList fallback) => TryGet(name, out var e) ? ToIntOrList(name, e, "an integer or a list of integers") : fallback;

    public IntOrList? NullableIntOrList(string name, IntOrList? fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        return e.ValueKind == JsonValueKind.Null ? null : ToIntOrList(name, e, "an integer, a list of integers or null");
    }

    /// <summary>A special token: a plain string or a serialised AddedToken object (<c>{"content": ...}</c>).</summary>
    public string? Token(string name, string? fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        const string expected = "a string, an object with \"content\", or null";
        switch (e.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return e.GetString();
            case JsonValueKind.Object when e.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String:
                return content.GetString();
            default:
                throw TypeError(name, expected, e);
        }
    }

    /// <summary>An integer that Python may write beyond 64 bits (tokenizers' VERY_LARGE_INTEGER = 1e30 means "no limit"): null when it exceeds int.</summary>
    public int? BoundedInt(string name, int? fallback)
    {
        if (!TryGet(name, out var e)) return fallback;
        if (e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind != JsonValueKind.Number || !double.TryParse(e.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value < 0 || value != Math.Floor(value))
            throw TypeError(name, "a non-negative integer or null", e);
        return value > int.MaxValue ? null : (int)value;
    }

    public JsonElement? Element(string name) => TryGet(name, out var e) ? e : null;

    public CheckpointFormatException Error(string field, string problem) => new(Path, field, problem);

    private bool TryGet(string name, out JsonElement value)
    {
        _read.Add(name);
        return _fields.TryGetValue(name, out value);
    }

    private int ToInt(string name, JsonElement e, string expected = "an integer") =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int value) ? value : throw TypeError(name, expected, e);

    private double ToDouble(string name, JsonElement e, string expected = "a number")
    {
        if (e.ValueKind == JsonValueKind.Number)
            return e.GetDouble();
        if (e.ValueKind == JsonValueKind.String)
        {
            switch (e.GetString())
            {
                case "NaN": return double.NaN;
                case "Infinity": return double.PositiveInfinity;
                case "-Infinity": return double.NegativeInfinity;
            }
        }
        throw TypeError(name, expected, e);
    }

    private bool ToBool(string name, JsonElement e, string expected = "a boolean") => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw TypeError(name, expected, e),
    };

    private string ToString(string name, JsonElement e, string expected = "a string") =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw TypeError(name, expected, e);

    private ValueArray<T> ToList<T>(string name, JsonElement e, string expected, Func<JsonElement, T> convert)
    {
        if (e.ValueKind != JsonValueKind.Array)
            throw TypeError(name, expected, e);
        var items = new List<T>(e.GetArrayLength());
        foreach (var item in e.EnumerateArray())
            items.Add(convert(item));
        return new ValueArray<T>(items);
    }

    private IntOrList ToIntOrList(string name, JsonElement e, string expected) => e.ValueKind switch
    {
        JsonValueKind.Number => Checkpoints.IntOrList.Of(ToInt(name, e, expected)),
        JsonValueKind.Array => Checkpoints.IntOrList.Of(ToList(name, e, expected, x => ToInt(name, x, expected)).ToArray()),
        _ => throw TypeError(name, expected, e),
    };

    private CheckpointFormatException TypeError(string name, string expected, JsonElement found) =>
        new(Path, name, $"expected {expected}, found {Describe(found)}.");

    private static string Describe(JsonElement e)
    {
        string raw = e.GetRawText();
        if (raw.Length > 48) raw = raw[..48] + "…";
        return e.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => $"a list {raw}",
            JsonValueKind.String => $"the string {raw}",
            JsonValueKind.Number => $"the number {raw}",
            JsonValueKind.True or JsonValueKind.False => $"the boolean {raw}",
            JsonValueKind.Null => "null",
            _ => raw,
        };
    }
}
