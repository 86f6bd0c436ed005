namespace Atelier.Training.Data;

/// <summary>What a caption says about one emoji: its CLDR label and keywords, and the concept it belongs to.</summary>
/// <param name="Label">CLDR short name, e.g. "waving hand: dark skin tone".</param>
/// <param name="Tags">CLDR keywords of the base emoji (skin-tone variants inherit them), most widely shared first
/// (see <see cref="EmojiLexicon"/>).</param>
/// <param name="ConceptLabel">Label of the concept (the sequence without skin tones), e.g. "waving hand".</param>
/// <param name="Version">Emoji version that introduced it (0.6 for the oldest); 99 when unknown.</param>
public sealed record EmojiName(string Label, IReadOnlyList<string> Tags, string ConceptLabel, double Version = EmojiName.UnknownVersion)
{
    public const double UnknownVersion = 99;
}
