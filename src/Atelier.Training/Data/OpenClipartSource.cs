using System.Text;
using System.Text.RegularExpressions;

namespace Atelier.Training.Data;

/// <summary>
/// Open Clip Art Library 0.18 from Debian's <c>openclipart-svg</c> (public domain): SVGs with embedded title,
/// keywords and creator. Following the survey: whole categories of icon themes, generative stars, gradients,
/// patterns, logos (trademarks) and weapons are not offered; a keyword/file-name blocklist drops hate symbols,
/// sexualised and gory drawings; each file's own licence statement decides (public domain only; GPL or missing
/// statements are refused). Drawings are rendered at 256 px, cropped to their visible pixels, padded and
/// downscaled (<see cref="ClipArtFraming"/>). Captions: "{title}, clip art style, {keywords}"; generic titles
/// ("Clipart by X - bee", "Various Cliparts") fall back to the cleaned file name.
/// </summary>
public sealed partial class OpenClipartSource(string name, string style, PinnedPackage package, string attribution) : DataSource(name, style)
{
    public const string SvgRoot = "usr/share/openclipart/svg/";

    /// <summary>Categories not offered, with the reason (survey: icon themes, generative stars, gradients/patterns).</summary>
    public static IReadOnlyList<(string Prefix, string Reason)> ExcludedCategories { get; } =
    [
        ("computer/icons/", "category computer/icons: desktop icon themes (survey: low value)"),
        ("shapes/stars/", "category shapes/stars: generative star polygons (survey: low value)"),
        ("special/", "category special: gradients, patterns, templates"),
        ("logos/", "category logos: trademarks"),
        ("tools/weapons/", "category tools/weapons: content policy"),
    ];

    /// <summary>
    /// Words (in the title, keywords or path) that drop a drawing: hate symbols (the survey found a "Sunwheel" tagged
    /// "schwarze"), sexualised figures, gore, weapons outside their category, and logos/trademarks.
    /// </summary>
    public static IReadOnlySet<string> Blocklist { get; } = new SortedSet<string>(StringComparer.Ordinal)
    {
        "nazi", "swastika", "hakenkreuz", "schwarze", "sunwheel", "sonnenrad", "kkk", "klan", "confederate", "reich",
        "nude", "naked", "nudity", "sexy", "sex", "erotic", "porn", "stripper", "topless", "lingerie", "babe", "pinup", "bikini",
        "blood", "bloody", "gore", "corpse", "dead", "suicide", "hanged",
        "gun", "guns", "rifle", "pistol", "revolver", "weapon", "weapons", "bomb", "grenade", "ammo",
        "logo", "trademark",
    };

    private static readonly HashSet<string> s_noiseKeywords = new(StringComparer.Ordinal)
    {
        "clip", "art", "clipart", "clip-art", "openclipart", "ocal", "media", "image", "images", "svg", "png", "public",
        "domain", "externalsource", "inkscape", "drawing", "illustration", "unsorted", "remix", "various", "hash",
    };

    public override IReadOnlyList<PinnedPackage> Packages => [package];

    public override IReadOnlyList<string> RequiredTools => ["rsvg-convert"];

    // Some 2005-era files are invalid XML for librsvg (double-escaped entities) or draw nothing visible.
    public override bool SkipsUnrenderable => true;

    public override IReadOnlyList<SourceItem> Enumerate(
        IReadOnlyDictionary<PinnedPackage, string> tarballs, EmojiLexicon lexicon, string staging, Action<SkippedItem> skip)
    {
        IReadOnlyDictionary<string, byte[]> files = DebianArchive.Read(tarballs[package],
            path => path.StartsWith(SvgRoot, StringComparison.Ordinal) && path.EndsWith(".svg", StringComparison.Ordinal));
        var items = new List<SourceItem>();
        foreach ((string fullPath, byte[] svg) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            string path = fullPath[SvgRoot.Length..];
            (string Prefix, string Reason)? category = ExcludedCategories.Cast<(string Prefix, string Reason)?>()
                .FirstOrDefault(c => path.StartsWith(c!.Value.Prefix, StringComparison.Ordinal));
            if (category is not null)
            {
                skip(new SkippedItem(Name, fullPath, category.Value.Reason));
                continue;
            }
            ClipArtMetadata meta;
            try
            {
                meta = ClipArtMetadata.Parse(svg, $"{package.Spec}/{fullPath}");
            }
            catch (InvalidDataException)
            {
                skip(new SkippedItem(Name, fullPath, "SVG is not well-formed XML"));
                continue;
            }
            string stem = path[..^".svg".Length];
            string? blocked = Words($"{meta.Title} {string.Join(' ', meta.Keywords)} {stem}").FirstOrDefault(Blocklist.Contains);
            if (blocked is not null)
            {
                skip(new SkippedItem(Name, fullPath, "content blocklist"));
                continue;
            }
            string label = Label(meta, stem);
            if (label.Length < 2)
            {
                skip(new SkippedItem(Name, fullPath, "no usable title or file name for a caption"));
                continue;
            }
            string[] tags = Keywords(meta, label);
            (string licence, string? note) = Licence(meta.LicenceUri);
            string document = Encoding.UTF8.GetString(svg);
            string display = $"{package.Spec}/{fullPath}";
            items.Add(new SourceItem(Name, package, fullPath, stem, "clipart:" + label.ToLowerInvariant(), licence, note, attribution,
                meta.Creator.Length > 0 ? Clean(System.Net.WebUtility.HtmlDecode(meta.Creator)) : "unknown", new EmojiName(label, tags, label),
                () => ClipArtFraming.Frame(Rasterizer.RenderSvgPage(document, 256, display), Rasterizer.Size)
                    ?? throw new InvalidDataException($"{display}: renders with no visible pixel.")));
        }
        return items;
    }

    /// <summary>Maps the file's licence URI to SPDX; only public-domain dedications are allowed.</summary>
    public static (string Licence, string? Note) Licence(string uri) =>
        uri.Contains("publicdomain", StringComparison.OrdinalIgnoreCase)
            ? ("LicenseRef-PublicDomain", null)
            : uri.Contains("/GPL/", StringComparison.Ordinal)
                ? ("GPL-2.0-or-later", $"the SVG declares {uri}")
                : ("NOASSERTION", uri.Length == 0 ? "the SVG carries no licence statement" : $"unrecognised licence URI {uri}");

    /// <summary>The caption label: the title unless generic, else the file name without author fragments.</summary>
    public static string Label(ClipArtMetadata meta, string stem)
    {
        string title = meta.Title;
        Match byline = ClipartBy().Match(title);
        if (byline.Success)
            title = byline.Groups["subject"].Value;
        bool generic = title.Length < 2 || title.StartsWith("various", StringComparison.OrdinalIgnoreCase)
            || title.Contains("untitled", StringComparison.OrdinalIgnoreCase) || title.Contains("clipart by", StringComparison.OrdinalIgnoreCase)
            || title.Contains("part of the flat icon", StringComparison.OrdinalIgnoreCase)
            || string.Equals(title, meta.Creator, StringComparison.OrdinalIgnoreCase);
        if (!generic)
            return Clean(title);
        string file = stem[(stem.LastIndexOf('/') + 1)..];
        string[] creatorWords = Words(meta.Creator).ToArray();
        IEnumerable<string> words = Words(file.Replace("clipart_by", " ", StringComparison.Ordinal))
            .Where(w => !w.All(char.IsAsciiDigit) && w != "r" && !creatorWords.Any(c => c.StartsWith(w, StringComparison.Ordinal) && w.Length >= 2));
        return string.Join(' ', words);
    }

    private static string[] Keywords(ClipArtMetadata meta, string label)
    {
        var labelWords = new HashSet<string>(Words(label), StringComparer.Ordinal);
        var creatorWords = new HashSet<string>(Words(meta.Creator), StringComparer.Ordinal);
        return meta.Keywords.Select(k => k.ToLowerInvariant().Trim('.', '"', '\'', '(', ')'))
            .Where(k => k.Length >= 3 && k.All(c => char.IsLetter(c) || c == '-') && !k.Contains("0x", StringComparison.Ordinal)
                && !s_noiseKeywords.Contains(k) && !labelWords.Contains(k) && !creatorWords.Contains(k))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    private static string Clean(string text) => Whitespace().Replace(text.Replace('_', ' ').Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' '), " ").Trim();

    private static IEnumerable<string> Words(string text) =>
        NonWord().Split(text.ToLowerInvariant()).Where(w => w.Length > 0);

    [GeneratedRegex(@"^clipart by .+? - (?<subject>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ClipartBy();

    [GeneratedRegex(@"[^\p{L}\p{Nd}]+")]
    private static partial Regex NonWord();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
