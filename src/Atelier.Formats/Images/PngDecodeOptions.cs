namespace Atelier.Formats.Images;

/// <summary>
/// Limits the decoder enforces before it allocates, so that a hostile upload costs at most these amounts.
/// The defaults admit every image Atelier makes or edits with room to spare.
/// </summary>
public sealed record PngDecodeOptions
{
    public static PngDecodeOptions Default { get; } = new();

    /// <summary>Largest accepted IHDR width, in pixels.</summary>
    public int MaxWidth { get; init; } = 16384;

    /// <summary>Largest accepted IHDR height, in pixels.</summary>
    public int MaxHeight { get; init; } = 16384;

    /// <summary>
    /// Largest inflated image data (filter bytes plus scanlines) and, separately, largest decoded pixel buffer
    /// (RGBA, 4 or 8 bytes per pixel). Both follow from the header and are checked before anything is allocated.
    /// </summary>
    public long MaxDecodedBytes { get; init; } = 256L << 20;

    /// <summary>Largest file read by <see cref="PngDecoder.Decode(Stream, PngDecodeOptions?)"/> and <see cref="PngDecoder.DecodeFile"/>.</summary>
    public long MaxInputBytes { get; init; } = 256L << 20;

    /// <summary>Largest text of one zTXt/iTXt chunk after decompression, in bytes.</summary>
    public int MaxTextBytes { get; init; } = 8 << 20;

    /// <summary>Largest total of kept metadata: raw bytes of passed-through chunks plus decoded text bytes.</summary>
    public long MaxMetadataBytes { get; init; } = 64L << 20;

    /// <summary>
    /// When false, ancillary chunks are only framed and CRC-checked, never parsed or kept: the pixels of a file
    /// whose text chunks are malformed can still be read.
    /// </summary>
    public bool ReadMetadata { get; init; } = true;

    internal void Validate()
    {
        if (MaxWidth < 1 || MaxHeight < 1 || MaxDecodedBytes < 1 || MaxInputBytes < 8 || MaxTextBytes < 0 || MaxMetadataBytes < 0)
            throw new ArgumentException($"PngDecodeOptions: limits must be positive (MaxWidth {MaxWidth}, MaxHeight {MaxHeight}, MaxDecodedBytes {MaxDecodedBytes}, MaxInputBytes {MaxInputBytes}, MaxTextBytes {MaxTextBytes}, MaxMetadataBytes {MaxMetadataBytes}).");
    }
}
