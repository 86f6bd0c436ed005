using System.Text.Json;

namespace Atelier.Training.Data;

/// <summary>
/// The opt-out registry: people who do not want their work (or a concept, a package, one image) in training.
/// An item that matches any entry stays in the manifest, marked <c>opted-out</c>, and is never trained on, so the
/// exclusion is auditable. Opting out is adding one entry.
/// <para>File format (JSON; default <c>models/atelier-mini/opt-out.json</c>):</para>
/// <code>
/// {
///   "format": "atelier-opt-out/1",
///   "entries": [
///     { "creator": "twemoji",            "note": "…" },
///     { "package": "@lobehub/fluent-emoji-3d@1.1.0" },
///     { "concept": "1F355" },             // or a CLDR label: { "concept": "pizza" }
///     { "sha256": "&lt;64 hex digits of the produced PNG&gt;" }
///   ]
/// }
/// </code>
/// Each entry names exactly one of <c>creator</c>, <c>package</c>, <c>concept</c>, <c>sha256</c>; <c>note</c> is
/// optional free text. Matching is case-insensitive; a concept given as codepoints covers every skin tone.
/// </summary>
public sealed class OptOutRegistry
{
    public const string Format = "atelier-opt-out/1";

    public OptOutRegistry(IReadOnlyList<OptOutEntry> entries) => Entries = entries;

    public IReadOnlyList<OptOutEntry> Entries { get; }

    public static OptOutRegistry Empty { get; } = new([]);

    public static OptOutRegistry Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Opt-out registry {path} does not exist; create it with {{\"format\": \"{Format}\", \"entries\": []}}.", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    public static OptOutRegistry Parse(byte[] json, string name)
    {
        using JsonDocument document = EmojiLexicon.ParseJson(json, name);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{name}: expected a JSON object with \"format\" and \"entries\".");
        string? format = root.TryGetProperty("format", out JsonElement f) ? f.GetString() : null;
        if (format != Format)
            throw new InvalidDataException($"{name}: \"format\" is '{format}', expected '{Format}'.");
        if (!root.TryGetProperty("entries", out JsonElement array) || array.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{name}: \"entries\" must be an array.");

        var entries = new List<OptOutEntry>();
        int index = 0;
        foreach (JsonElement e in array.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{name}: entries[{index}] is not an object.");
            var named = new List<(OptOutKind Kind, string Value)>();
            string? note = null;
            foreach (JsonProperty p in e.EnumerateObject())
            {
                if (p.Name == "note")
                {
                    note = p.Value.GetString();
                    continue;
                }
                if (!Enum.TryParse(p.Name, ignoreCase: true, out OptOutKind kind) || !char.IsLower(p.Name[0]))
                    throw new InvalidDataException($"{name}: entries[{index}] has unknown field '{p.Name}'; expected one of creator, package, concept, sha256 (and optional note).");
                string value = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()!.Trim() : "";
                if (value.Length == 0)
                    throw new InvalidDataException($"{name}: entries[{index}].{p.Name} must be a non-empty string.");
                named.Add((kind, value));
            }
            if (named.Count != 1)
                throw new InvalidDataException($"{name}: entries[{index}] names {named.Count} things; an entry names exactly one of creator, package, concept, sha256.");
            (OptOutKind k, string v) = named[0];
            if (k == OptOutKind.Sha256 && !ManifestRow.IsSha256(v.ToLowerInvariant()))
                throw new InvalidDataException($"{name}: entries[{index}].sha256 '{v}' is not 64 hexadecimal digits.");
            string? codepointConcept = k == OptOutKind.Concept && LooksLikeCodepoints(v) ? Codepoints.Concept(v) : null;
            entries.Add(new OptOutEntry(index, k, v, note, codepointConcept));
            index++;
        }
        return new OptOutRegistry(entries);
    }

    /// <summary>The first entry that covers the item, or null.</summary>
    /// <param name="item">The candidate.</param>
    /// <param name="sha256">The produced PNG's sha256 (lower-case hex).</param>
    public OptOutEntry? Match(SourceItem item, string sha256)
    {
        foreach (OptOutEntry entry in Entries)
        {
            bool hit = entry.Kind switch
            {
                OptOutKind.Creator => Same(entry.Value, item.Attribution) || Same(entry.Value, item.Creator),
                OptOutKind.Package => Same(entry.Value, item.Package.Name) || Same(entry.Value, item.Package.Spec),
                OptOutKind.Concept => (entry.CodepointConcept is not null && Same(entry.CodepointConcept, item.Concept))
                    || (item.Name is not null && Same(entry.Value, item.Name.ConceptLabel)),
                OptOutKind.Sha256 => Same(entry.Value, sha256),
                _ => false,
            };
            if (hit)
                return entry;
        }
        return null;
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static bool LooksLikeCodepoints(string value)
    {
        try
        {
            Codepoints.Normalize(value);
            return value.All(c => Uri.IsHexDigit(c) || c is '-' or '_');
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
