namespace Atelier.Formats.Tokenizers;

/// <summary>
/// CLIP's text cleaning as transformers' <c>CLIPTokenizer</c> does it when ftfy is installed (this is what the
/// Stable Diffusion reference ids come from): <c>whitespace_clean(ftfy.fix_text(text)).lower()</c>.
/// openai/CLIP additionally runs <c>html.unescape</c> twice; the two differ only for text with a literal '&lt;'
/// and an HTML entity ("x &lt; y &amp;amp; z"), where we follow transformers.
/// </summary>
public static class ClipTextCleaner
{
    /// <summary>Fixes (see <see cref="TextFixer"/>), collapses whitespace runs to one space, strips, lowercases.</summary>
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return PythonText.ToLower(PythonText.CollapseWhitespace(TextFixer.FixText(text)));
    }
}
