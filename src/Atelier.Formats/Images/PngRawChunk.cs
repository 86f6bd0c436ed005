namespace Atelier.Formats.Images;

/// <summary>
/// An ancillary chunk the codec does not interpret (iCCP, eXIf, pHYs, tIME, caBX for C2PA, ...), kept as bytes so that
/// re-encoding passes it through unchanged. Chunks whose meaning depends on how the source stored its samples
/// (tRNS, bKGD, sBIT, hIST) or that describe an animation (acTL, fcTL, fdAT) cannot be raw chunks: the decoded
/// image is RGBA and still, so copying them would make the new file wrong.
/// </summary>
public sealed record PngRawChunk : PngMetadataChunk
{
    // Chunks that PNG specification §5.6 (Table 7) requires before the first IDAT.
    private static readonly HashSet<string> s_beforeImageData =
        ["cHRM", "gAMA", "iCCP", "sRGB", "cICP", "mDCV", "cLLI", "eXIf", "pHYs", "sPLT"];

    private static readonly HashSet<string> s_refused =
        ["tRNS", "bKGD", "sBIT", "hIST", "acTL", "fcTL", "fdAT", "tEXt", "zTXt", "iTXt"];

    private readonly byte[] _data;

    /// <summary>Copies <paramref name="data"/>; throws <see cref="ArgumentException"/> for a type that cannot be passed through.</summary>
    public PngRawChunk(string chunkType, ReadOnlySpan<byte> data, PngChunkPosition position = PngChunkPosition.BeforeImageData)
        : base(position)
    {
        if (Problem(chunkType, position) is { } problem)
            throw new ArgumentException($"PNG raw chunk '{chunkType}': {problem}", nameof(chunkType));
        ChunkType = chunkType;
        _data = data.ToArray();
    }

    public override string ChunkType { get; }

    public ReadOnlyMemory<byte> Data => _data;

    public bool Equals(PngRawChunk? other)
        => other is not null && ChunkType == other.ChunkType && Position == other.Position && _data.AsSpan().SequenceEqual(other._data);

    public override int GetHashCode() => HashCode.Combine(ChunkType, Position, _data.Length);

    /// <summary>Null when a chunk of this type may be passed through at this position; otherwise why not.</summary>
    internal static string? Problem(string chunkType, PngChunkPosition position)
    {
        if (!PngChunkType.IsValid(chunkType))
            return "a chunk type is four ASCII letters.";
        if (char.IsAsciiLetterUpper(chunkType[0]))
            return "critical chunks (upper-case first letter) are written by the encoder, never passed through.";
        if (chunkType is "tEXt" or "zTXt" or "iTXt")
            return "text chunks are PngTextChunk values.";
        if (s_refused.Contains(chunkType))
            return "its content depends on the source's colour type, bit depth, palette or animation, which re-encoding does not keep.";
        if (position == PngChunkPosition.AfterImageData && s_beforeImageData.Contains(chunkType))
            return "PNG requires this chunk before the image data (PngChunkPosition.BeforeImageData).";
        return null;
    }
}
