namespace Atelier.Training.Data;

/// <summary>Where a pinned package is fetched from.</summary>
public enum PackageRegistry
{
    /// <summary>The npm registry, through <c>npm pack</c>.</summary>
    Npm,

    /// <summary>Debian's archive, through <c>apt-get download</c> (architecture-independent packages only).</summary>
    Debian,
}
