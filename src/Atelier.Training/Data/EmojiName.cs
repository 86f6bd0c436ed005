namespace Atelier.Training.Data;

/// <summary>What a caption says about one emoji: its CLDR label and keywords, and the concept it belongs to.</summary>
/// <param name="Label">CLDR short name, e.g. "waving hand: dark skin tone".</param>
/// <param name="Tags">CLDR keywords of the base emoji (skin-tone variants inherit them), in emojibase's order.</param>
/// <param name="ConceptLabel">Label of the concept (the sequence without skin tones), e.g. "waving hand".</param>
public sealed record EmojiName(string Label, IReadOnlyList<string> Tags, string ConceptLabel);
