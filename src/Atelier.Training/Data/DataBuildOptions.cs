namespace Atelier.Training.Data;

/// <summary>Everything a data build reads and writes.</summary>
/// <param name="OutputDirectory">Where images go (<c>images/{source}/…</c>); not committed (default <c>data/atelier-mini</c>).</param>
/// <param name="CacheDirectory">Tarball cache (default <c>~/.cache/atelier/packages</c>).</param>
/// <param name="CardDirectory">Where the committed data card goes: <c>data/manifest.tsv</c>, <c>data/report.md</c>,
/// <c>THIRD_PARTY_NOTICES.md</c> (default <c>models/atelier-mini</c>).</param>
/// <param name="Sources">The sources to build, in order.</param>
/// <param name="OptOut">The opt-out registry.</param>
/// <param name="OptOutPath">Its file, as the report names it.</param>
/// <param name="CaptionPackage">emojibase-data, for labels and keywords.</param>
/// <param name="ApacheLicenceText">Path of the Apache License 2.0 text copied into the notices (Debian ships it).</param>
public sealed record DataBuildOptions(
    string OutputDirectory,
    string CacheDirectory,
    string CardDirectory,
    IReadOnlyList<DataSource> Sources,
    OptOutRegistry OptOut,
    string OptOutPath,
    PinnedPackage CaptionPackage,
    string ApacheLicenceText = "/usr/share/common-licenses/Apache-2.0")
{
    public string ManifestPath => Path.Combine(CardDirectory, "data", "manifest.tsv");

    public string ReportPath => Path.Combine(CardDirectory, "data", "report.md");

    public string NoticesPath => Path.Combine(CardDirectory, "THIRD_PARTY_NOTICES.md");

    /// <summary>Where sources may unpack files they hand to external tools.</summary>
    public string StagingDirectory => Path.Combine(OutputDirectory, ".staging");

    public static string DefaultCacheDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "atelier", "packages");
}
