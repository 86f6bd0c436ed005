namespace Atelier.Training.Data;

/// <summary>A candidate refused by the licence allow-list, with the reason the report counts it under.</summary>
public sealed record RefusedItem(string Id, string Source, string PackagePath, string Licence, string Reason);
