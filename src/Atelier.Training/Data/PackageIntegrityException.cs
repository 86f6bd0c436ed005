namespace Atelier.Training.Data;

/// <summary>A downloaded or cached tarball does not hash to the integrity value pinned in code.</summary>
public sealed class PackageIntegrityException(PinnedPackage package, string path, string actual)
    : Exception($"{path}: integrity mismatch for {package.Spec}: expected {package.Integrity}, got {actual}. " +
                "The upstream package changed under the same version (or the file is corrupt); the data set is not built from it. " +
                "Delete the file to download it again, or review the change and update the pin in PinnedPackage.cs.")
{
    public PinnedPackage Package { get; } = package;

    public string Path { get; } = path;

    public string Actual { get; } = actual;
}
