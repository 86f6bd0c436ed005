using System.Globalization;
using System.Text.Json;

namespace Atelier.Training.Data;

/// <summary>
/// An Iconify JSON icon set (<c>@iconify-json/*</c>): <c>icons.json</c> holds SVG bodies (plus aliases that flip or
/// rename a parent), <c>chars.json</c> maps codepoints to icon names. Documented at iconify.design ("IconifyJSON").
/// </summary>
public sealed class IconifyIconSet
{
    public const string IconsPath = "icons.json";
    public const string CharsPath = "chars.json";

    private readonly Dictionary<string, JsonElement> _icons;
    private readonly Dictionary<string, JsonElement> _aliases;
    private readonly int _width, _height;
    private readonly JsonDocument _document;

    private IconifyIconSet(JsonDocument document, Dictionary<string, string> chars, string name)
    {
        _document = document;
        JsonElement root = document.RootElement;
        if (!root.TryGetProperty("icons", out JsonElement icons) || icons.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{name}: no 'icons' object.");
        _icons = icons.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        _aliases = root.TryGetProperty("aliases", out JsonElement aliases) && aliases.ValueKind == JsonValueKind.Object
            ? aliases.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal)
            : new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        _width = root.TryGetProperty("width", out JsonElement w) ? w.GetInt32() : 16;   // Iconify default: 16
        _height = root.TryGetProperty("height", out JsonElement h) ? h.GetInt32() : 16;
        Chars = chars;
    }

    /// <summary>Canonical codepoints → icon name.</summary>
    public IReadOnlyDictionary<string, string> Chars { get; }

    /// <summary>Icon names that are real icons (not aliases), in ordinal order.</summary>
    public IEnumerable<string> IconNames => _icons.Keys.Order(StringComparer.Ordinal);

    public bool IsHidden(string icon) =>
        _icons.TryGetValue(icon, out JsonElement e) && e.TryGetProperty("hidden", out JsonElement hidden) && hidden.ValueKind == JsonValueKind.True;

    /// <summary>Reads the set from the package's <c>icons.json</c> and <c>chars.json</c>.</summary>
    public static IconifyIconSet Load(string tarball, string packageSpec)
    {
        IReadOnlyDictionary<string, byte[]> files = NpmTarball.Read(tarball, p => p is IconsPath or CharsPath);
        foreach (string required in new[] { IconsPath, CharsPath })
        {
            if (!files.ContainsKey(required))
                throw new InvalidDataException($"{tarball}: {required} is missing; expected an Iconify JSON package.");
        }
        var chars = new Dictionary<string, string>(StringComparer.Ordinal);
        using (JsonDocument charsDoc = EmojiLexicon.ParseJson(files[CharsPath], $"{packageSpec}/{CharsPath}"))
        {
            foreach (JsonProperty p in charsDoc.RootElement.EnumerateObject())
                chars[Codepoints.Normalize(p.Name)] = p.Value.GetString() ?? throw new InvalidDataException($"{packageSpec}/{CharsPath}: '{p.Name}' maps to a non-string.");
        }
        return new IconifyIconSet(EmojiLexicon.ParseJson(files[IconsPath], $"{packageSpec}/{IconsPath}"), chars, $"{packageSpec}/{IconsPath}");
    }

    /// <summary>The real icon an icon name or alias draws (aliases resolved).</summary>
    public string ResolveIcon(string iconName) => Resolve(iconName).Name;

    /// <summary>
    /// A standalone SVG document for an icon or alias: the body inside an <c>svg</c> element whose viewBox is the
    /// icon's <c>left top width height</c> (defaults: 0, 0 and the set's size); an alias's <c>hFlip</c>/<c>vFlip</c>
    /// mirror the parent.
    /// </summary>
    public string ToSvg(string iconName)
    {
        (string name, bool hFlip, bool vFlip) = Resolve(iconName);
        JsonElement icon = _icons[name];
        int left = Int(icon, "left", 0), top = Int(icon, "top", 0);
        int width = Int(icon, "width", _width), height = Int(icon, "height", _height);
        string body = icon.GetProperty("body").GetString() ?? "";
        if (hFlip || vFlip)
        {
            string transform = string.Create(CultureInfo.InvariantCulture,
                $"translate({(hFlip ? 2 * left + width : 0)} {(vFlip ? 2 * top + height : 0)}) scale({(hFlip ? -1 : 1)} {(vFlip ? -1 : 1)})");
            body = $"<g transform=\"{transform}\">{body}</g>";
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"{left} {top} {width} {height}\">{body}</svg>");
    }

    private (string Name, bool HFlip, bool VFlip) Resolve(string iconName)
    {
        bool hFlip = false, vFlip = false;
        string name = iconName;
        for (int depth = 0; !_icons.ContainsKey(name); depth++)
        {
            if (depth > 8 || !_aliases.TryGetValue(name, out JsonElement alias) || !alias.TryGetProperty("parent", out JsonElement parent))
                throw new KeyNotFoundException($"Iconify icon '{iconName}' is neither an icon nor an alias resolving to one (stopped at '{name}').");
            hFlip ^= alias.TryGetProperty("hFlip", out JsonElement hf) && hf.ValueKind == JsonValueKind.True;
            vFlip ^= alias.TryGetProperty("vFlip", out JsonElement vf) && vf.ValueKind == JsonValueKind.True;
            name = parent.GetString()!;
        }
        return (name, hFlip, vFlip);
    }

    private static int Int(JsonElement icon, string property, int fallback) =>
        icon.TryGetProperty(property, out JsonElement value) ? value.GetInt32() : fallback;
}
