namespace Atelier.Training.Data;

/// <summary>
/// The survey's caption template, <c>"{label}, {style} style"</c>, followed by up to <see cref="MaxTags"/> keywords.
/// Keywords are appended deterministically: in the order given (<see cref="EmojiLexicon"/> puts the most widely shared
/// first), skipping any that is already a word of the label or a repeat. The trainer may still sample other keywords from the manifest's
/// <c>tags</c> column; this caption is the stable default.
/// </summary>
public static class CaptionBuilder
{
    /// <summary>
    /// Four keywords keep "label, style, tags" well inside CLIP's 77-token context even for the longest CLDR labels
    /// ("couple with heart: woman, man, medium-light skin tone, dark skin tone" is about 20 tokens).
    /// </summary>
    public const int MaxTags = 4;

    public static string Build(string label, string style, IEnumerable<string> tags)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        ArgumentException.ThrowIfNullOrWhiteSpace(style);
        var labelWords = new HashSet<string>(
            label.Split([' ', ':', ',', '-'], StringSplitOptions.RemoveEmptyEntries), StringComparer.OrdinalIgnoreCase);
        var kept = new List<string>(MaxTags);
        foreach (string raw in tags)
        {
            string tag = raw.Trim();
            if (tag.Length == 0 || labelWords.Contains(tag) || kept.Contains(tag, StringComparer.OrdinalIgnoreCase))
                continue;
            kept.Add(tag);
            if (kept.Count == MaxTags)
                break;
        }
        string caption = $"{label.Trim()}, {style.Trim()} style";
        return kept.Count == 0 ? caption : caption + ", " + string.Join(", ", kept);
    }
}
