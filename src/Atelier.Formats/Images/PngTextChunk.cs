namespace Atelier.Formats.Images;

/// <summary>
/// A tEXt, zTXt or iTXt chunk (PNG specification §11.3.3). Atelier writes each image's generation parameters and
/// provenance as text chunks; decoding then re-encoding keeps kind, order and position. The factories validate
/// everything a writer must guarantee, so an instance is always encodable.
/// </summary>
public sealed record PngTextChunk : PngMetadataChunk
{
    private PngTextChunk(PngTextKind kind, string keyword, string text, bool compressed, string languageTag,
        string translatedKeyword, PngChunkPosition position)
        : base(position)
    {
        Kind = kind;
        Keyword = keyword;
        Text = text;
        Compressed = compressed;
        LanguageTag = languageTag;
        TranslatedKeyword = translatedKeyword;
    }

    public PngTextKind Kind { get; }

    public string Keyword { get; }

    public string Text { get; }

    /// <summary>True for zTXt and for iTXt with the compression flag set.</summary>
    public bool Compressed { get; }

    /// <summary>iTXt only: RFC 3066 / BCP 47 language tag ("" when unspecified).</summary>
    public string LanguageTag { get; }

    /// <summary>iTXt only: the keyword translated into the language of <see cref="LanguageTag"/> ("" when absent).</summary>
    public string TranslatedKeyword { get; }

    public override string ChunkType => Kind switch
    {
        PngTextKind.Latin1 => "tEXt",
        PngTextKind.CompressedLatin1 => "zTXt",
        _ => "iTXt",
    };

    /// <summary>A tEXt chunk, or zTXt when <paramref name="compress"/>. The text must be Latin-1 (U+0001–U+00FF).</summary>
    public static PngTextChunk Latin1(string keyword, string text, bool compress = false,
        PngChunkPosition position = PngChunkPosition.BeforeImageData)
    {
        var kind = compress ? PngTextKind.CompressedLatin1 : PngTextKind.Latin1;
        ThrowIfInvalid(kind, keyword, text, "", "");
        return new PngTextChunk(kind, keyword, text, compress, "", "", position);
    }

    /// <summary>An iTXt chunk: any Unicode text (no NUL), optionally compressed.</summary>
    public static PngTextChunk International(string keyword, string text, bool compress = false, string languageTag = "",
        string translatedKeyword = "", PngChunkPosition position = PngChunkPosition.BeforeImageData)
    {
        ThrowIfInvalid(PngTextKind.International, keyword, text, languageTag, translatedKeyword);
        return new PngTextChunk(PngTextKind.International, keyword, text, compress, languageTag, translatedKeyword, position);
    }

    /// <summary>Null when the fields make a valid chunk of the given kind; otherwise the first problem.</summary>
    internal static string? Problem(PngTextKind kind, string keyword, string text, string languageTag, string translatedKeyword)
    {
        if (PngKeyword.Problem(keyword) is { } keywordProblem)
            return keywordProblem;
        if (kind == PngTextKind.International)
        {
            if (Utf8Problem(text, "text") is { } textProblem)
                return textProblem;
            if (Utf8Problem(translatedKeyword, "translated keyword") is { } translatedProblem)
                return translatedProblem;
            for (int i = 0; i < languageTag.Length; i++)
            {
                if (!(char.IsAsciiLetterOrDigit(languageTag[i]) || languageTag[i] == '-'))
                    return $"language tag character {i} is U+{(int)languageTag[i]:X4}; only ASCII letters, digits and '-' are allowed (RFC 3066).";
            }
            return null;
        }
        if (languageTag.Length != 0 || translatedKeyword.Length != 0)
            return "only iTXt carries a language tag or translated keyword.";
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\0' || text[i] > '\u00FF')
                return $"text character {i} is U+{(int)text[i]:X4}; tEXt and zTXt hold Latin-1 without NUL (U+0001–U+00FF); use iTXt for other text.";
        }
        return null;
    }

    private static void ThrowIfInvalid(PngTextKind kind, string keyword, string text, string languageTag, string translatedKeyword)
    {
        if (Problem(kind, keyword, text, languageTag, translatedKeyword) is { } problem)
            throw new ArgumentException($"PNG text chunk '{keyword}': {problem}");
    }

    private static string? Utf8Problem(string value, string field)
    {
        if (value.Contains('\0'))
            return $"{field} contains NUL, which iTXt uses as a separator.";
        for (int i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                i++;
            else if (char.IsSurrogate(value[i]))
                return $"{field} has an unpaired surrogate at index {i}; it cannot be written as UTF-8.";
        }
        return null;
    }

    /// <summary>Builds a decoded chunk; the decoder has validated the fields already.</summary>
    internal static PngTextChunk FromDecoded(PngTextKind kind, string keyword, string text, bool compressed,
        string languageTag, string translatedKeyword, PngChunkPosition position)
        => new(kind, keyword, text, compressed, languageTag, translatedKeyword, position);
}
