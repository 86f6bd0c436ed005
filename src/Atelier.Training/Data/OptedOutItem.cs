namespace Atelier.Training.Data;

/// <summary>A manifest row marked <c>opted-out</c> and the registry entry that covered it.</summary>
public sealed record OptedOutItem(string Id, OptOutEntry Entry);
