namespace Atelier.Formats.Images;

/// <summary>
/// The ancillary chunks of a PNG that survive a decode/encode round trip, in file order: text chunks and raw
/// pass-through chunks, each with its position relative to the image data. The encoder writes the
/// <see cref="PngChunkPosition.BeforeImageData"/> chunks in list order before IDAT and the
/// <see cref="PngChunkPosition.AfterImageData"/> ones in list order after it; a later step (e.g. provenance)
/// inserts a chunk by list index and position.
/// </summary>
public sealed class PngMetadata
{
    public PngMetadata()
    {
    }

    public PngMetadata(IEnumerable<PngMetadataChunk> chunks)
    {
        Chunks.AddRange(chunks);
    }

    public List<PngMetadataChunk> Chunks { get; } = [];

    /// <summary>The text chunks, in file order.</summary>
    public IReadOnlyList<PngTextChunk> Text => Chunks.OfType<PngTextChunk>().ToList();

    /// <summary>The text of the first text chunk with this keyword, or null.</summary>
    public string? GetText(string keyword) => Chunks.OfType<PngTextChunk>().FirstOrDefault(t => t.Keyword == keyword)?.Text;

    /// <summary>Index of the first chunk of the given type, or -1.</summary>
    public int IndexOf(string chunkType) => Chunks.FindIndex(c => c.ChunkType == chunkType);

    public void Add(PngMetadataChunk chunk) => Chunks.Add(chunk);
}
