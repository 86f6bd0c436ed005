using System.Text.Json.Nodes;

namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// Writes a config record back to the field layout of diffusers' <c>scheduler.config</c>: the class's own fields in
/// its <c>__init__</c> signature order, then the kept fields of other classes. Non-finite numbers are written as the
/// strings "Infinity", "-Infinity", "NaN" (System.Text.Json's named literals; Python writes them bare).
/// </summary>
internal sealed class SchedulerConfigWriter
{
    private readonly JsonObject _config = new();

    public SchedulerConfigWriter Add(string field, int value)
    {
        _config[field] = value;
        return this;
    }

    public SchedulerConfigWriter Add(string field, double value)
    {
        _config[field] = Number(value);
        return this;
    }

    public SchedulerConfigWriter Add(string field, double? value)
    {
        _config[field] = value is { } v ? Number(v) : null;
        return this;
    }

    public SchedulerConfigWriter Add(string field, bool value)
    {
        _config[field] = value;
        return this;
    }

    public SchedulerConfigWriter Add(string field, string? value)
    {
        _config[field] = value;
        return this;
    }

    public SchedulerConfigWriter Add(string field, IReadOnlyList<double>? values)
    {
        _config[field] = values is null ? null : new JsonArray(values.Select(Number).ToArray());
        return this;
    }

    public JsonObject Build(JsonObject others)
    {
        foreach (var (name, value) in others)
        {
            if (!_config.ContainsKey(name))
                _config[name] = value?.DeepClone();
        }
        return _config;
    }

    private static JsonNode Number(double value) => double.IsFinite(value)
        ? JsonValue.Create(value)
        : JsonValue.Create(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
}
