using System.Globalization;

namespace Atelier.Training.Data;

/// <summary>
/// Emoji codepoint sequences in the one spelling the data set uses everywhere: upper-case hex, at least four digits
/// per codepoint (the Unicode convention, <c>0023</c>), joined by '-', with the emoji presentation selector U+FE0F
/// removed. Every source spells them differently (<c>1f3c3-1f3fd-200d-2640-fe0f.webp</c>, <c>23-20e3</c>,
/// <c>1F3C3-1F3FD-200D-2640-FE0F</c>), so joins happen only on this canonical form.
/// </summary>
public static class Codepoints
{
    /// <summary>U+FE0F VARIATION SELECTOR-16: presentation only, dropped from keys (the survey's join rule).</summary>
    public const int EmojiPresentationSelector = 0xFE0F;

    /// <summary>Fitzpatrick skin-tone modifiers U+1F3FB (light) … U+1F3FF (dark).</summary>
    public const int FirstSkinTone = 0x1F3FB, LastSkinTone = 0x1F3FF;

    /// <summary>Canonical form of a sequence such as <c>1f44b-1f3fb</c>, <c>23-fe0f-20e3</c> or <c>1F44B_1F3FB</c>.</summary>
    /// <exception cref="FormatException">A part is not a hexadecimal codepoint in U+0000 … U+10FFFF.</exception>
    public static string Normalize(string sequence)
    {
        int[] values = Parse(sequence);
        return Format(values.Where(v => v != EmojiPresentationSelector));
    }

    /// <summary>
    /// The emoji concept a sequence belongs to: the canonical sequence without skin-tone modifiers, so
    /// "waving hand: dark skin tone" and "waving hand" share the concept <c>1F44B</c> (held-out split, opt-out).
    /// A lone modifier (the skin-tone swatches U+1F3FB … U+1F3FF are emoji of their own) is its own concept.
    /// </summary>
    public static string Concept(string sequence)
    {
        int[] values = Parse(sequence).Where(v => v != EmojiPresentationSelector).ToArray();
        int[] withoutTones = values.Where(v => !IsSkinTone(v)).ToArray();
        return Format(withoutTones.Length > 0 ? withoutTones : values);
    }

    /// <summary>The number of skin-tone modifiers in the sequence that differ from each other (0, 1 or 2+).</summary>
    public static int DistinctSkinTones(string sequence) => Parse(sequence).Where(IsSkinTone).Distinct().Count();

    /// <summary>The number of codepoints, U+FE0F not counted (used to pick the most generic of duplicate images).</summary>
    public static int Length(string sequence) => Parse(sequence).Count(v => v != EmojiPresentationSelector);

    /// <summary>Whether <paramref name="sequence"/> parses as codepoints (emoji keys do, clip-art path keys do not).</summary>
    public static bool IsSequence(string sequence)
    {
        try
        {
            Parse(sequence);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static bool IsSkinTone(int codepoint) => codepoint is >= FirstSkinTone and <= LastSkinTone;

    private static int[] Parse(string sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        string[] parts = sequence.Split('-', '_', ' ');
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length is 0 or > 6
                || !int.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out values[i])
                || values[i] > 0x10FFFF)
            {
                throw new FormatException($"Codepoint sequence '{sequence}': part {i} ('{parts[i]}') is not a hexadecimal codepoint in U+0000..U+10FFFF.");
            }
        }
        return values;
    }

    private static string Format(IEnumerable<int> values) =>
        string.Join('-', values.Select(v => v.ToString("X4", CultureInfo.InvariantCulture)));
}
