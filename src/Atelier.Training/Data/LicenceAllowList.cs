namespace Atelier.Training.Data;

/// <summary>
/// The licences whose art the default model may be trained on while its weights stay MIT/Apache-2.0 with an
/// attribution notice (survey, "Licence of the trained weights"). Share-alike (CC-BY-SA-*), non-commercial,
/// proprietary and unknown licences (<c>NOASSERTION</c>) are refused.
/// </summary>
public static class LicenceAllowList
{
    /// <summary>SPDX identifiers, plus <c>LicenseRef-PublicDomain</c> for art dedicated to the public domain without a CC0 text.</summary>
    public static IReadOnlySet<string> Allowed { get; } = new SortedSet<string>(StringComparer.Ordinal)
    {
        "CC-BY-4.0",
        "Apache-2.0",
        "MIT",
        "CC0-1.0",
        "LicenseRef-PublicDomain",
    };

    public static bool IsAllowed(string spdx) => Allowed.Contains(spdx);

    /// <summary>Why an item with <paramref name="spdx"/> is refused (for the report), or null when it is allowed.</summary>
    /// <param name="note">The source's own explanation of the licence, if it gave one.</param>
    public static string? RefusalReason(string spdx, string? note) =>
        IsAllowed(spdx) ? null
        : note is null ? $"licence {spdx} is not on the allow-list"
        : $"licence {spdx} is not on the allow-list ({note})";
}
