using System.Text.Json;

namespace Atelier.Training.Data;

/// <summary>
/// An <c>emoji-datasource-*</c> package (iamcal/emoji-data): <c>emoji.json</c> lists every emoji and its skin
/// variations with <c>has_img_{set}</c> flags, and <c>img/{set}/64/{image}</c> holds native 64x64 PNGs, used as
/// they are (only normalised to RGBA). Spritesheets are never read: the non-clean ones contain Apple fallbacks.
/// </summary>
public sealed class EmojiDatasourceSource : DataSource
{
    private readonly PinnedPackage _package;
    private readonly string _imageSet;
    private readonly Func<string, (string Licence, string? Note)> _licence;
    private readonly string _attribution;
    private readonly string _creator;

    /// <param name="imageSet">The folder under <c>img/</c> and the suffix of <c>has_img_</c>, e.g. <c>twitter</c>.</param>
    /// <param name="licence">SPDX licence of the art for a canonical codepoint sequence, with an optional note.</param>
    public EmojiDatasourceSource(string name, string style, PinnedPackage package, string imageSet,
        Func<string, (string Licence, string? Note)> licence, string attribution, string creator)
        : base(name, style)
    {
        _package = package;
        _imageSet = imageSet;
        _licence = licence;
        _attribution = attribution;
        _creator = creator;
    }

    public override IReadOnlyList<PinnedPackage> Packages => [_package];

    /// <summary>The package path of the catalogue.</summary>
    public const string CataloguePath = "emoji.json";

    public string ImageFolder => $"img/{_imageSet}/64/";

    public override IReadOnlyList<SourceItem> Enumerate(
        IReadOnlyDictionary<PinnedPackage, string> tarballs, EmojiLexicon lexicon, string staging, Action<SkippedItem> skip)
    {
        string tarball = tarballs[_package];
        IReadOnlyDictionary<string, byte[]> files = NpmTarball.Read(tarball,
            path => path == CataloguePath || (path.StartsWith(ImageFolder, StringComparison.Ordinal) && path.EndsWith(".png", StringComparison.Ordinal)));
        if (!files.TryGetValue(CataloguePath, out byte[]? catalogue))
            throw new InvalidDataException($"{tarball}: {CataloguePath} is missing; expected the emoji-datasource catalogue.");

        var items = new List<SourceItem>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        string catalogueName = $"{_package.Spec}/{CataloguePath}";
        using JsonDocument document = EmojiLexicon.ParseJson(catalogue, catalogueName);
        int index = 0;
        foreach (JsonElement record in document.RootElement.EnumerateArray())
        {
            string baseName = Text(record, "name", catalogueName, index).ToLowerInvariant();
            Offer(record, baseName, index);
            if (record.TryGetProperty("skin_variations", out JsonElement variations) && variations.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty variation in variations.EnumerateObject())
                    Offer(variation.Value, baseName, index);
            }
            index++;
        }
        foreach (string path in files.Keys.Where(p => p != CataloguePath && !used.Contains(p)).Order(StringComparer.Ordinal))
            skip(new SkippedItem(Name, path, "image not listed in emoji.json"));
        return items;

        void Offer(JsonElement record, string baseName, int recordIndex)
        {
            string unified = Text(record, "unified", catalogueName, recordIndex);
            string image = Text(record, "image", catalogueName, recordIndex);
            string path = ImageFolder + image;
            bool hasImage = record.TryGetProperty("has_img_" + _imageSet, out JsonElement flag) && flag.ValueKind == JsonValueKind.True;
            if (!hasImage)
            {
                skip(new SkippedItem(Name, path, $"emoji.json says has_img_{_imageSet} = false"));
                return;
            }
            if (!files.TryGetValue(path, out byte[]? png))
            {
                skip(new SkippedItem(Name, path, "listed in emoji.json but absent from the package"));
                return;
            }
            used.Add(path);
            string codepoints = Codepoints.Normalize(unified);
            EmojiName name = lexicon.Find(codepoints) ?? new EmojiName(baseName, [], baseName);
            (string licence, string? note) = _licence(codepoints);
            string label = $"{_package.Spec}/{path}";
            items.Add(new SourceItem(Name, _package, path, codepoints, Codepoints.Concept(codepoints), licence, note, _attribution, _creator, name,
                () => Rasterizer.DecodePng(png, label)));
        }
    }

    private static string Text(JsonElement record, string property, string file, int index) =>
        record.TryGetProperty(property, out JsonElement value) && value.GetString() is { Length: > 0 } s
            ? s
            : throw new InvalidDataException($"{file}: record {index} has no string '{property}'.");
}
