namespace Atelier.Formats.Images;

/// <summary>
/// An ancillary chunk kept in <see cref="PngMetadata"/>: a text chunk (<see cref="PngTextChunk"/>) or one passed
/// through as bytes (<see cref="PngRawChunk"/>), with its position relative to the image data.
/// </summary>
public abstract record PngMetadataChunk
{
    private protected PngMetadataChunk(PngChunkPosition position)
    {
        Position = position;
    }

    /// <summary>The four-letter chunk type as written in the file.</summary>
    public abstract string ChunkType { get; }

    public PngChunkPosition Position { get; init; }
}
