namespace Atelier.Training.Data;

/// <summary>What a build produced and every decision it made, for the report and the summary table.
/// <see cref="Creators"/> maps each manifest id to its credited creator (per-file credits, e.g. OpenClipart).</summary>
public sealed record DataBuildResult(
    IReadOnlyList<DataSource> Sources,
    IReadOnlyDictionary<PinnedPackage, string> Tarballs,
    IReadOnlyList<ManifestRow> Rows,
    IReadOnlyList<RefusedItem> Refused,
    IReadOnlyList<SkippedItem> Skipped,
    IReadOnlyList<DuplicateGroup> Duplicates,
    IReadOnlyList<OptedOutItem> OptedOut,
    string ManifestSha256,
    IReadOnlyDictionary<string, string> Creators);
