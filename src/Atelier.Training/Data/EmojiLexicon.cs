using System.Text.Json;

namespace Atelier.Training.Data;

/// <summary>
/// Labels and keywords for emoji, keyed by canonical codepoints (<see cref="Codepoints"/>), read from emojibase's
/// <c>en/data.json</c> (CLDR annotations). Skin-tone entries (<c>skins[]</c>) carry their own label but no tags, so
/// they inherit the tags of their base, as the survey recommends. Keywords are ordered by how many emoji share them
/// (most shared first, then ordinal): shared keywords are the vocabulary ("hand", "wave"), one-off ones are often
/// slang ("ttfn"), and a caption that keeps only the first few should keep the vocabulary.
/// </summary>
public sealed class EmojiLexicon
{
    private readonly Dictionary<string, EmojiName> _names;

    private EmojiLexicon(Dictionary<string, EmojiName> names) => _names = names;

    public int Count => _names.Count;

    /// <summary>The package path of the English data inside <c>emojibase-data</c>.</summary>
    public const string DataPath = "en/data.json";

    /// <summary>Parses emojibase <c>data.json</c>.</summary>
    /// <param name="json">The file's bytes.</param>
    /// <param name="name">Names the file in error messages.</param>
    public static EmojiLexicon Parse(byte[] json, string name)
    {
        var names = new Dictionary<string, EmojiName>(StringComparer.Ordinal);
        using JsonDocument document = ParseJson(json, name);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{name}: expected a JSON array of emoji records, found {document.RootElement.ValueKind}.");
        var records = document.RootElement.EnumerateArray().ToArray();
        string[][] rawTags = records.Select(r => r.TryGetProperty("tags", out JsonElement t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Select(x => x.GetString() ?? "").Where(x => x.Length > 0).Distinct().ToArray()
                : []).ToArray();
        Dictionary<string, int> frequency = rawTags.SelectMany(t => t).GroupBy(t => t, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        for (int index = 0; index < records.Length; index++)
        {
            JsonElement record = records[index];
            string hexcode = RequireString(record, "hexcode", name, index);
            string label = RequireString(record, "label", name, index);
            string[] tags = rawTags[index].OrderByDescending(t => frequency[t]).ThenBy(t => t, StringComparer.Ordinal).ToArray();
            names[Codepoints.Normalize(hexcode)] = new EmojiName(label, tags, label, Version(record));
            if (record.TryGetProperty("skins", out JsonElement skins) && skins.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement skin in skins.EnumerateArray())
                {
                    string skinHex = RequireString(skin, "hexcode", name, index);
                    string skinLabel = RequireString(skin, "label", name, index);
                    names[Codepoints.Normalize(skinHex)] = new EmojiName(skinLabel, tags, label, Version(skin));
                }
            }
        }
        return new EmojiLexicon(names);
    }

    /// <summary>The name of a canonical or raw codepoint sequence, or null when emojibase does not know it.</summary>
    public EmojiName? Find(string codepoints) =>
        _names.TryGetValue(Codepoints.Normalize(codepoints), out EmojiName? name) ? name : null;

    private static double Version(JsonElement record) =>
        record.TryGetProperty("version", out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : EmojiName.UnknownVersion;

    internal static JsonDocument ParseJson(byte[] json, string name)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }
    }

    private static string RequireString(JsonElement record, string property, string name, int index) =>
        record.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : throw new InvalidDataException($"{name}: record {index} has no string '{property}'.");
}
