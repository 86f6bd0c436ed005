using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// Reads the fields of a diffusers <c>scheduler_config.json</c> object into a config record: each accessor takes the
/// field name and the class default (used when the field is absent), checks the JSON type, and marks the field as
/// taken. <see cref="Others"/> returns the fields no accessor took, in file order, which the record keeps the way
/// diffusers keeps unexpected fields as hidden config (so a later scheduler swap still sees them, gotcha G23).
/// Metadata fields (names starting with '_') are dropped. Errors are <see cref="SchedulerConfigException"/>s.
/// </summary>
internal sealed class SchedulerConfigReader
{
    private readonly JsonObject _config;
    private readonly string _className;
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public SchedulerConfigReader(JsonObject config, string className)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
        _className = className;
    }

    public int Int(string field, int defaultValue)
    {
        if (!TryTake(field, out var node))
            return defaultValue;
        if (AsDouble(node) is { } d && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
            return (int)d;
        throw Error(field, node, "an integer");
    }

    public double Double(string field, double defaultValue)
    {
        if (!TryTake(field, out var node))
            return defaultValue;
        return AsDouble(node) ?? throw Error(field, node, "a number");
    }

    public double? NullableDouble(string field, double? defaultValue)
    {
        if (!TryTake(field, out var node))
            return defaultValue;
        return node is null ? null : AsDouble(node) ?? throw Error(field, node, "a number or null");
    }

    public bool Bool(string field, bool defaultValue)
    {
        if (!TryTake(field, out var node))
            return defaultValue;
        return node?.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field, node, "true or false"),
        };
    }

    public string? NullableString(string field, string? defaultValue)
    {
        if (!TryTake(field, out var node))
            return defaultValue;
        if (node is null)
            return null;
        return node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : throw Error(field, node, "a string or null");
    }

    /// <summary>A string field restricted to <paramref name="names"/> (the diffusers spelling of each value).</summary>
    public TEnum Choice<TEnum>(string field, TEnum defaultValue, IReadOnlyList<(string Name, TEnum Value)> names)
    {
        if (!TryTake(field, out var node))
            return defaultValue;
        if (node?.GetValueKind() == JsonValueKind.String)
        {
            string s = node.GetValue<string>();
            foreach (var (name, value) in names)
                if (name == s)
                    return value;
        }
        throw Error(field, node, "one of " + string.Join(", ", names.Select(n => $"\"{n.Name}\"")));
    }

    /// <summary>A list of numbers, or null (<c>trained_betas</c>).</summary>
    public IReadOnlyList<double>? NullableDoubleList(string field, IReadOnlyList<double>? defaultValue)
    {
        if (!TryTake(field, out var node))
            return defaultValue;
        if (node is null)
            return null;
        if (node is JsonArray array)
        {
            var values = new double[array.Count];
            for (int i = 0; i < values.Length; i++)
                values[i] = AsDouble(array[i]) ?? throw Error(field, node, $"a list of numbers (item {i} is {array[i]?.ToJsonString() ?? "null"})");
            return values;
        }
        throw Error(field, node, "a list of numbers or null");
    }

    /// <summary>The fields no accessor took (metadata '_…' fields excluded), deep-copied, in file order.</summary>
    public JsonObject Others()
    {
        var others = new JsonObject();
        foreach (var (name, value) in _config)
        {
            if (!_taken.Contains(name) && !name.StartsWith('_'))
                others[name] = value?.DeepClone();
        }
        return others;
    }

    private bool TryTake(string field, out JsonNode? node)
    {
        _taken.Add(field);
        return _config.TryGetPropertyValue(field, out node);
    }

    private static double? AsDouble(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.Number => double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
        // Python's json writes these bare; PythonJson quotes them (System.Text.Json's named-literal spelling).
        JsonValueKind.String => node.GetValue<string>() switch
        {
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => null,
        },
        _ => null,
    };

    private SchedulerConfigException Error(string field, JsonNode? node, string expected) =>
        new(_className, field, $"= {node?.ToJsonString() ?? "null"}; expected {expected}");
}
