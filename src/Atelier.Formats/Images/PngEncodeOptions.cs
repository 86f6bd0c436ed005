using System.IO.Compression;

namespace Atelier.Formats.Images;

/// <summary>Encoder settings: <see cref="Fast"/> (the default) or <see cref="Small"/>, or any combination.</summary>
public sealed record PngEncodeOptions
{
    /// <summary>Sub/Up per row and zlib's fastest level: for previews and intermediate files.</summary>
    public static PngEncodeOptions Fast { get; } = new();

    /// <summary>All five filters per row and zlib's smallest-size level: for files that are kept or sent.</summary>
    public static PngEncodeOptions Small { get; } = new() { Filter = PngFilterStrategy.Adaptive, Compression = CompressionLevel.SmallestSize };

    public PngFilterStrategy Filter { get; init; } = PngFilterStrategy.SubOrUp;

    public CompressionLevel Compression { get; init; } = CompressionLevel.Fastest;

    /// <summary>Largest IDAT chunk written; the zlib stream is split across as many as needed.</summary>
    public int IdatChunkBytes { get; init; } = 256 * 1024;
}
