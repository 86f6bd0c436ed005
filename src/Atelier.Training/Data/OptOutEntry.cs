namespace Atelier.Training.Data;

/// <summary>What an opt-out entry names.</summary>
public enum OptOutKind
{
    /// <summary>A creator: an attribution key (<c>twemoji</c>) or the credited creator name (<c>Microsoft Corporation</c>).</summary>
    Creator,

    /// <summary>An npm package, <c>name</c> (every version) or <c>name@version</c>.</summary>
    Package,

    /// <summary>An emoji concept: codepoints (all skin tones and styles of it) or its CLDR label, e.g. <c>1F355</c> or "pizza".</summary>
    Concept,

    /// <summary>One produced image: the sha256 of its PNG as the manifest lists it.</summary>
    Sha256,
}

/// <summary>One line of the opt-out registry.</summary>
/// <param name="Index">Position in the file's <c>entries</c> array (for messages and the report).</param>
/// <param name="Note">Free text: who asked, when, a reference.</param>
/// <param name="CodepointConcept">For a concept entry whose value parses as codepoints, that concept in canonical form
/// (a label such as "bee" is also valid hex, so a concept entry matches either reading).</param>
public sealed record OptOutEntry(int Index, OptOutKind Kind, string Value, string? Note, string? CodepointConcept = null)
{
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} '{Value}'";
}
