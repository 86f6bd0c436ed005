namespace Atelier.Training.Data;

/// <summary>A package file a source saw and did not offer (no codepoint, hidden, no caption…), with the reason.</summary>
public sealed record SkippedItem(string Source, string PackagePath, string Reason);
