namespace Atelier.Training.Data;

/// <summary>
/// Fluent Emoji 3D from <c>@lobehub/fluent-emoji-3d</c>: 256x256 WebP files named by codepoints under
/// <c>assets/</c>. The package also holds ~350 images Microsoft never open-sourced (national flags, families,
/// couples); their provenance is unknown, so they are not under Microsoft's MIT grant. The survey's allow-list rule
/// keeps a file only if its codepoints are a key of <c>@iconify-json/fluent-emoji-flat</c>'s <c>chars.json</c>
/// (Microsoft's release); every other file is offered with licence <c>NOASSERTION</c> and so refused and counted.
/// </summary>
public sealed class LobehubFluent3dSource(string name, string style, PinnedPackage package, PinnedPackage releaseList,
    string licence, string attribution, string creator) : DataSource(name, style)
{
    public const string AssetFolder = "assets/";

    /// <summary>The licence given to files outside Microsoft's release (SPDX: no assertion can be made).</summary>
    public const string UnreleasedLicence = "NOASSERTION";

    public override IReadOnlyList<PinnedPackage> Packages => [package, releaseList];

    public override IReadOnlyList<string> RequiredTools => ["dwebp"];

    public override IReadOnlyList<SourceItem> Enumerate(
        IReadOnlyDictionary<PinnedPackage, string> tarballs, EmojiLexicon lexicon, string staging, Action<SkippedItem> skip)
    {
        IReadOnlyDictionary<string, string> released = IconifyIconSet.Load(tarballs[releaseList], releaseList.Spec).Chars;
        string folder = Path.Combine(staging, Name);
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        IReadOnlyList<string> extracted = NpmTarball.Extract(tarballs[package], folder,
            path => path.StartsWith(AssetFolder, StringComparison.Ordinal) && path.EndsWith(".webp", StringComparison.Ordinal));

        var items = new List<SourceItem>();
        foreach (string path in extracted.Order(StringComparer.Ordinal))
        {
            string stem = Path.GetFileNameWithoutExtension(path);
            string codepoints;
            try
            {
                codepoints = Codepoints.Normalize(stem);
            }
            catch (FormatException)
            {
                skip(new SkippedItem(Name, path, "file name is not a codepoint sequence"));
                continue;
            }
            // A null name is dropped by the builder after the licence check, so unreleased files are counted as refused.
            EmojiName? emoji = lexicon.Find(codepoints);
            bool inRelease = released.ContainsKey(codepoints);
            string file = Path.Combine(folder, path);
            string label = $"{package.Spec}/{path}";
            items.Add(new SourceItem(Name, package, path, codepoints, Codepoints.Concept(codepoints),
                inRelease ? licence : UnreleasedLicence,
                inRelease ? null : $"not in Microsoft's fluentui-emoji release per {releaseList.Spec} chars.json; provenance unknown",
                attribution, creator, emoji, () => Rasterizer.RenderWebp(file, label)));
        }
        return items;
    }
}
