namespace Atelier.Formats.Images;

/// <summary>
/// Validation of text-chunk keywords (PNG specification §11.3.3.1): 1–79 printable Latin-1 characters (codes 32–126
/// and 161–255), no leading or trailing space, no two consecutive spaces.
/// </summary>
public static class PngKeyword
{
    public const int MaxLength = 79;

    /// <summary>Null when the keyword is valid; otherwise what is wrong with it.</summary>
    public static string? Problem(string keyword)
    {
        if (keyword.Length == 0)
            return "keyword is empty; it must have 1 to 79 characters.";
        if (keyword.Length > MaxLength)
            return $"keyword is {keyword.Length} characters long; the limit is {MaxLength}.";
        for (int i = 0; i < keyword.Length; i++)
        {
            char c = keyword[i];
            if (!(c is >= ' ' and <= '~' || c is >= '\u00A1' and <= '\u00FF'))
                return $"keyword character {i} is U+{(int)c:X4}; only printable Latin-1 (U+0020–U+007E, U+00A1–U+00FF) is allowed.";
        }
        if (keyword[0] == ' ' || keyword[^1] == ' ')
            return "keyword has a leading or trailing space.";
        if (keyword.Contains("  ", StringComparison.Ordinal))
            return "keyword has two consecutive spaces.";
        return null;
    }

    public static bool IsValid(string keyword) => Problem(keyword) is null;
}
