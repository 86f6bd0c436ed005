namespace Atelier.Formats.Images;

/// <summary>The three textual chunk types (PNG specification §11.3.3).</summary>
public enum PngTextKind
{
    /// <summary>tEXt: Latin-1 text, uncompressed.</summary>
    Latin1,

    /// <summary>zTXt: Latin-1 text, zlib-compressed.</summary>
    CompressedLatin1,

    /// <summary>iTXt: UTF-8 text, optionally compressed, with a language tag and a translated keyword.</summary>
    International,
}
