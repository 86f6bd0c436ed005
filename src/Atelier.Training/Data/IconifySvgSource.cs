namespace Atelier.Training.Data;

/// <summary>
/// Art from an Iconify JSON package, one image per <c>chars.json</c> entry (so each has a codepoint to caption and
/// split by), rendered from SVG with rsvg-convert. Icons without a codepoint are reported as skipped.
/// </summary>
public sealed class IconifySvgSource(string name, string style, PinnedPackage package, string licence, string attribution, string creator)
    : DataSource(name, style)
{
    public override IReadOnlyList<PinnedPackage> Packages => [package];

    public override IReadOnlyList<string> RequiredTools => ["rsvg-convert"];

    public override IReadOnlyList<SourceItem> Enumerate(
        IReadOnlyDictionary<PinnedPackage, string> tarballs, EmojiLexicon lexicon, string staging, Action<SkippedItem> skip)
    {
        IconifyIconSet set = IconifyIconSet.Load(tarballs[package], package.Spec);
        var items = new List<SourceItem>();
        var offered = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string codepoints, string icon) in set.Chars.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            string path = $"{IconifyIconSet.IconsPath}#{icon}";
            EmojiName? emoji = lexicon.Find(codepoints);
            if (emoji is null)
            {
                skip(new SkippedItem(Name, path, $"codepoints {codepoints} unknown to emojibase (no caption)"));
                continue;
            }
            offered.Add(icon);
            offered.Add(set.ResolveIcon(icon));  // a parent drawn through an alias (e.g. hFlip) is not left unreported as unused
            string svg = set.ToSvg(icon);
            string label = $"{package.Spec}/{path}";
            items.Add(new SourceItem(Name, package, path, codepoints, Codepoints.Concept(codepoints), licence, null, attribution, creator, emoji,
                () => Rasterizer.RenderSvg(svg, label)));
        }
        var mapped = new HashSet<string>(set.Chars.Values, StringComparer.Ordinal);
        foreach (string icon in set.IconNames.Where(i => !offered.Contains(i) && !mapped.Contains(i)))
        {
            string reason = set.IsHidden(icon) ? "hidden icon without a codepoint in chars.json" : "icon without a codepoint in chars.json";
            skip(new SkippedItem(Name, $"{IconifyIconSet.IconsPath}#{icon}", reason));
        }
        return items;
    }
}
