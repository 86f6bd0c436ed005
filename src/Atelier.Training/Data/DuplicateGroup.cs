namespace Atelier.Training.Data;

/// <summary>Images of one source with identical pixels, merged into <see cref="Kept"/> (the most generic caption).</summary>
public sealed record DuplicateGroup(string Source, string Kept, string KeptLabel, IReadOnlyList<string> Merged, IReadOnlyList<string> MergedLabels);
