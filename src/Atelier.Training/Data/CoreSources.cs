namespace Atelier.Training.Data;

/// <summary>
/// The default model's training sources, as chosen in shared/research/open-data.md ("Recommended mix"): four emoji
/// styles, all compatible with MIT/Apache-2.0 weights plus an attribution notice.
/// </summary>
public static class CoreSources
{
    public const string TwemojiAttribution = "twemoji";
    public const string NotoAttribution = "noto-emoji";
    public const string FluentAttribution = "fluent-emoji";
    public const string OpenClipartAttribution = "openclipart";

    public static DataSource Twemoji { get; } = new EmojiDatasourceSource("twemoji", "twemoji",
        PinnedPackage.EmojiDatasourceTwitter, "twitter",
        // The package.json says MIT, which covers the data/code only; the README states the Twemoji graphics are CC BY 4.0.
        _ => ("CC-BY-4.0", null), TwemojiAttribution, "Twitter, Inc and other contributors; Jason Sofonia, Justine De Caires and other contributors");

    public static DataSource Noto { get; } = new EmojiDatasourceSource("noto", "noto",
        PinnedPackage.EmojiDatasourceGoogle, "google", NotoLicence, NotoAttribution, "Google Inc.");

    public static DataSource Fluent3d { get; } = new LobehubFluent3dSource("fluent-3d", "fluent 3d",
        PinnedPackage.LobehubFluentEmoji3d, PinnedPackage.IconifyFluentEmojiFlat, "MIT", FluentAttribution, "Microsoft Corporation");

    public static DataSource FluentFlat { get; } = new IconifySvgSource("fluent-flat", "fluent flat",
        PinnedPackage.IconifyFluentEmojiFlat, "MIT", FluentAttribution, "Microsoft Corporation");

    /// <summary>Optional add-on (survey: "Recommended add-on for non-emoji variety"), public domain, from Debian.</summary>
    public static DataSource OpenClipart { get; } = new OpenClipartSource("openclipart", "clip art",
        PinnedPackage.OpenClipartSvg, OpenClipartAttribution);

    /// <summary>The four emoji styles of the survey's core set.</summary>
    public static IReadOnlyList<DataSource> All { get; } = [Twemoji, Noto, Fluent3d, FluentFlat];

    /// <summary>Every source <c>--sources</c> accepts, in its default order: the core plus the OpenClipart add-on.</summary>
    public static IReadOnlyList<DataSource> Known { get; } = [.. All, OpenClipart];

    /// <summary>Captions for every emoji source.</summary>
    public static PinnedPackage Captions => PinnedPackage.EmojibaseData;

    /// <summary>
    /// Noto's image resources are Apache-2.0, but its country and subdivision flags come from
    /// third_party/region-flags, which is public domain (noto-emoji LICENSE and README).
    /// </summary>
    public static (string Licence, string? Note) NotoLicence(string codepoints) =>
        IsRegionFlag(codepoints) ? ("LicenseRef-PublicDomain", null) : ("Apache-2.0", null);

    /// <summary>Country flags (two regional indicators) and subdivision flags (U+1F3F4 followed by tag characters).</summary>
    public static bool IsRegionFlag(string codepoints)
    {
        int[] values = codepoints.Split('-').Select(p => Convert.ToInt32(p, 16)).ToArray();
        bool country = values.Length == 2 && values.All(v => v is >= 0x1F1E6 and <= 0x1F1FF);
        bool subdivision = values.Length > 2 && values[0] == 0x1F3F4 && values.Skip(1).All(v => v is >= 0xE0020 and <= 0xE007F);
        return country || subdivision;
    }

    /// <summary>Resolves a comma-separated <c>--sources</c> value.</summary>
    public static IReadOnlyList<DataSource> Select(string names)
    {
        var chosen = new List<DataSource>();
        foreach (string name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            DataSource source = Known.FirstOrDefault(s => s.Name == name)
                ?? throw new ArgumentException($"--sources: unknown source '{name}'; known: {string.Join(", ", Known.Select(s => s.Name))}.");
            if (!chosen.Contains(source))
                chosen.Add(source);
        }
        return chosen.Count > 0 ? chosen : throw new ArgumentException("--sources: no source named.");
    }
}
