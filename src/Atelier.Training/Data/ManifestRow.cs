namespace Atelier.Training.Data;

/// <summary>
/// One image of the data set as <c>manifest.tsv</c> lists it (the model's data card). Column order is
/// <see cref="Columns"/>; <see cref="Tags"/> are joined with ';' in the file.
/// </summary>
/// <param name="Id"><c>{source}/{codepoints}</c>, unique; rows are sorted by it (ordinal).</param>
/// <param name="Split"><c>train</c> or <c>heldout</c> (<see cref="HeldOutSplit"/>).</param>
/// <param name="Source">Source name, e.g. <c>noto</c>.</param>
/// <param name="Package">npm package name the art came from.</param>
/// <param name="Version">Its exact version.</param>
/// <param name="PackagePath">Path of the art inside the package.</param>
/// <param name="OutputPath">Path of the produced 64x64 PNG, relative to the data folder (<c>images/…</c>).</param>
/// <param name="Licence">SPDX identifier of the art; always on <see cref="LicenceAllowList"/>.</param>
/// <param name="Attribution">Key of the credit block in THIRD_PARTY_NOTICES.md.</param>
/// <param name="Concept">Codepoints without skin tones: the unit of the held-out split and of concept opt-outs.</param>
/// <param name="Caption">Default caption ("pizza, noto style, cheese").</param>
/// <param name="Tags">All CLDR keywords, for caption augmentation.</param>
/// <param name="Sha256">sha256 of the produced PNG, lower-case hex.</param>
/// <param name="Consent"><c>licensed</c> (trainable) or <c>opted-out</c> (kept for audit, never trained on).</param>
public sealed record ManifestRow(
    string Id,
    string Split,
    string Source,
    string Package,
    string Version,
    string PackagePath,
    string OutputPath,
    string Licence,
    string Attribution,
    string Concept,
    string Caption,
    IReadOnlyList<string> Tags,
    string Sha256,
    string Consent)
{
    public const string Licensed = "licensed";
    public const string OptedOut = "opted-out";

    public static IReadOnlyList<string> Columns { get; } =
    [
        "id", "split", "source", "package", "version", "package_path", "output_path",
        "licence", "attribution", "concept", "caption", "tags", "sha256", "consent",
    ];

    /// <summary>Whether the row may be used for training.</summary>
    public bool IsTrainable => Consent == Licensed;

    public static bool IsSha256(string value) =>
        value.Length == 64 && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>The fields in column order, as the file stores them.</summary>
    public string[] ToFields() =>
    [
        Id, Split, Source, Package, Version, PackagePath, OutputPath,
        Licence, Attribution, Concept, Caption, string.Join(';', Tags), Sha256, Consent,
    ];
}
