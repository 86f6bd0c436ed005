using System.Text.Json;

namespace Atelier.Models.Mini;

/// <summary>The JSON conventions of the atelier-mini config files (snake_case keys like diffusers configs).</summary>
internal static class MiniJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static T Read<T>(string json, string origin)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new MiniConfigException(origin, "(file)", "a JSON object, not null");
        }
        catch (JsonException e)
        {
            throw new MiniConfigException(origin, e.Path ?? "(file)", $"valid JSON for {typeof(T).Name}: {e.Message}");
        }
    }
}
