namespace Atelier.Training.Data;

/// <summary>
/// One candidate image offered by a source, before the licence, curation, duplicate and consent decisions.
/// </summary>
/// <param name="Source">Source name, e.g. <c>twemoji</c>.</param>
/// <param name="Package">The pinned package the art comes from.</param>
/// <param name="PackagePath">Path inside the package (for Iconify sets: <c>icons.json#name</c>).</param>
/// <param name="Key">Unique within the source: canonical codepoints for emoji (<see cref="Codepoints"/>), a path
/// stem for other art.</param>
/// <param name="Concept">The unit of the held-out split and of concept opt-outs: for emoji the codepoints without
/// skin tones (<see cref="Codepoints.Concept"/>).</param>
/// <param name="Licence">SPDX identifier of the art (not of the package's code).</param>
/// <param name="LicenceNote">Why this licence was assigned, when it is not obvious (e.g. not in Microsoft's release).</param>
/// <param name="Attribution">Key of the attribution block in THIRD_PARTY_NOTICES.md, e.g. <c>twemoji</c>.</param>
/// <param name="Creator">Who made the art, as credited.</param>
/// <param name="Name">Label and keywords, or null when no caption source knows the emoji.</param>
/// <param name="Render">Produces the 64x64 RGBA pixels; called only for items that pass the licence check.</param>
public sealed record SourceItem(
    string Source,
    PinnedPackage Package,
    string PackagePath,
    string Key,
    string Concept,
    string Licence,
    string? LicenceNote,
    string Attribution,
    string Creator,
    EmojiName? Name,
    Func<RgbaImage> Render)
{
    /// <summary>Manifest id: <c>{source}/{key}</c>.</summary>
    public string Id => $"{Source}/{Key}";

    /// <summary>Whether the key is an emoji codepoint sequence (skin-tone curation and codepoint rules apply).</summary>
    public bool IsEmoji => Codepoints.IsSequence(Key);
}
