using System.IO.Compression;

namespace Atelier.Formats.Images;

/// <summary>
/// Encodes 8-bit images as non-interlaced PNG: gray (1 channel), gray+alpha (2), RGB (3) or RGBA (4), with the given
/// metadata chunks before and after the image data. Output order: signature, IHDR, metadata at
/// <see cref="PngChunkPosition.BeforeImageData"/>, IDAT chunks, metadata at <see cref="PngChunkPosition.AfterImageData"/>, IEND.
/// </summary>
public static class PngEncoder
{
    public static byte[] Encode(Image image, PngEncodeOptions? options = null, PngMetadata? metadata = null)
    {
        var output = new MemoryStream();
        Encode(image, output, options, metadata);
        return output.ToArray();
    }

    public static void Encode(Image image, Stream destination, PngEncodeOptions? options = null, PngMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= PngEncodeOptions.Fast;
        // Everything is checked before the first byte is written, so a refused call leaves the destination untouched.
        if (options.IdatChunkBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.IdatChunkBytes, "PngEncodeOptions.IdatChunkBytes must be at least 1.");
        if (!Enum.IsDefined(options.Filter) || !Enum.IsDefined(options.Compression))
            throw new ArgumentOutOfRangeException(nameof(options), options, "PngEncodeOptions: undefined filter strategy or compression level.");
        var chunks = metadata?.Chunks ?? [];
        for (int i = 0; i < chunks.Count; i++)
        {
            // Checked again here because `with { Position = ... }` bypasses the constructors' checks.
            string? problem = chunks[i] switch
            {
                null => "is null.",
                { Position: not (PngChunkPosition.BeforeImageData or PngChunkPosition.AfterImageData) } c => $"has an undefined position {(int)c.Position}.",
                PngRawChunk raw => PngRawChunk.Problem(raw.ChunkType, raw.Position),
                _ => null,
            };
            if (problem is not null)
                throw new ArgumentException($"PNG encoder: metadata chunk {i} ({chunks[i]?.ChunkType}) {problem}", nameof(metadata));
        }

        var colorType = image.Channels switch
        {
            1 => PngColorType.Gray,
            2 => PngColorType.GrayAlpha,
            3 => PngColorType.Rgb,
            _ => PngColorType.Rgba,
        };
        var header = new PngHeader(image.Width, image.Height, 8, colorType, Interlaced: false);

        destination.Write(PngStructure.Signature);
        Span<byte> ihdr = stackalloc byte[13];
        header.WriteTo(ihdr);
        PngChunkWriter.Write(destination, PngChunkType.Ihdr, ihdr);
        WriteMetadata(destination, chunks, PngChunkPosition.BeforeImageData);

        var idat = new PngIdatWriter(destination, options.IdatChunkBytes);
        using (var deflater = new ZLibStream(idat, options.Compression, leaveOpen: true))
            WriteScanlines(image, options.Filter, deflater);
        idat.Finish();

        WriteMetadata(destination, chunks, PngChunkPosition.AfterImageData);
        PngChunkWriter.Write(destination, PngChunkType.Iend, []);
    }

    private static void WriteScanlines(Image image, PngFilterStrategy strategy, Stream deflater)
    {
        PngFilterType[] candidates = strategy switch
        {
            PngFilterStrategy.None => [PngFilterType.None],
            PngFilterStrategy.Sub => [PngFilterType.Sub],
            PngFilterStrategy.Up => [PngFilterType.Up],
            PngFilterStrategy.Average => [PngFilterType.Average],
            PngFilterStrategy.Paeth => [PngFilterType.Paeth],
            PngFilterStrategy.SubOrUp => [PngFilterType.Sub, PngFilterType.Up],
            PngFilterStrategy.Adaptive => [PngFilterType.None, PngFilterType.Sub, PngFilterType.Up, PngFilterType.Average, PngFilterType.Paeth],
            _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown PngFilterStrategy."),
        };
        int stride = image.Stride, bpp = image.Channels;
        // One buffer per candidate, each [filter type byte, filtered row]; the chosen one is written as is.
        var lines = new byte[candidates.Length][];
        for (int k = 0; k < candidates.Length; k++)
        {
            lines[k] = new byte[stride + 1];
            lines[k][0] = (byte)candidates[k];
        }
        var zeros = new byte[stride];
        for (int y = 0; y < image.Height; y++)
        {
            ReadOnlySpan<byte> row = image.Pixels.AsSpan(y * stride, stride);
            ReadOnlySpan<byte> prior = y == 0 ? zeros : image.Pixels.AsSpan((y - 1) * stride, stride);
            int best = 0;
            long bestSum = long.MaxValue;
            for (int k = 0; k < candidates.Length; k++)
            {
                var filtered = lines[k].AsSpan(1);
                PngRowFilter.Apply(candidates[k], row, prior, bpp, filtered);
                if (candidates.Length == 1)
                    break;
                long sum = PngRowFilter.SumOfAbsolutes(filtered);
                if (sum < bestSum)
                {
                    best = k;
                    bestSum = sum;
                }
            }
            deflater.Write(lines[best]);
        }
    }

    private static void WriteMetadata(Stream destination, List<PngMetadataChunk> chunks, PngChunkPosition position)
    {
        foreach (var chunk in chunks)
        {
            if (chunk.Position != position)
                continue;
            switch (chunk)
            {
                case PngTextChunk text:
                    PngChunkWriter.Write(destination, PngChunkType.FromString(text.ChunkType), PngTextCodec.Serialize(text));
                    break;
                case PngRawChunk raw:
                    PngChunkWriter.Write(destination, PngChunkType.FromString(raw.ChunkType), raw.Data.Span);
                    break;
                default:
                    throw new InvalidOperationException($"PNG encoder: unknown metadata chunk kind {chunk.GetType().Name}.");
            }
        }
    }
}
