namespace Atelier.Formats.Images;

/// <summary>What a PNG says about itself without its pixels: the IHDR fields and the kept ancillary chunks.</summary>
public sealed record PngInfo(PngHeader Header, PngMetadata Metadata);
