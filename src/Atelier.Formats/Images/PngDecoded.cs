namespace Atelier.Formats.Images;

/// <summary>A decoded PNG: the source's IHDR, its kept ancillary chunks, and the pixels (RGBA, 8- or 16-bit).</summary>
public sealed record PngDecoded<TImage>(PngHeader Header, PngMetadata Metadata, TImage Image);
