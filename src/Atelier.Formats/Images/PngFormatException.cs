namespace Atelier.Formats.Images;

/// <summary>
/// A PNG file is malformed, truncated, exceeds a <see cref="PngDecodeOptions"/> limit, or uses a feature the
/// decoder refuses. The message names the chunk (type and byte offset of its length field) and what was wrong.
/// </summary>
public sealed class PngFormatException : FormatException
{
    public PngFormatException(string chunkType, long offset, string problem, Exception? inner = null)
        : base($"PNG {Describe(chunkType)} at byte offset {offset}: {problem}", inner)
    {
        ChunkType = chunkType;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The chunk type ("IHDR", "IDAT", ...); "signature" for the 8-byte file signature, "file" for the input as a whole.</summary>
    public string ChunkType { get; }

    /// <summary>Byte offset in the file of the chunk's length field (0 for the signature).</summary>
    public long Offset { get; }

    /// <summary>What was wrong, without the location prefix.</summary>
    public string Problem { get; }

    private static string Describe(string chunkType) => chunkType is "signature" or "file" ? chunkType : $"chunk {chunkType}";
}
