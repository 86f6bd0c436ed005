using System.Buffers.Binary;

namespace Atelier.Formats.Images;

/// <summary>
/// The chunk layout of a PNG file, read and checked in one pass before any pixel is decoded: signature, chunk
/// framing and every CRC, chunk order (§5.6), IHDR, PLTE and tRNS, the list of IDAT segments, and the metadata.
/// Nothing here allocates in proportion to a length the file claims: every length is checked against the bytes
/// actually present first.
/// </summary>
internal sealed class PngStructure
{
    /// <summary>The 8-byte PNG signature (§5.2).</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private PngStructure(PngHeader header)
    {
        Header = header;
    }

    public PngHeader Header { get; }

    /// <summary>PLTE entries as RGB triples (empty when absent).</summary>
    public byte[] Palette { get; private set; } = [];

    /// <summary>tRNS data as stored: palette alphas, or the gray / RGB colour key as 16-bit big-endian samples.</summary>
    public byte[]? Transparency { get; private set; }

    public List<PngDataSegment> ImageData { get; } = [];

    public long ImageDataBytes { get; private set; }

    public PngMetadata Metadata { get; } = new();

    public static PngStructure Read(ReadOnlyMemory<byte> file, PngDecodeOptions options)
    {
        options.Validate();
        var span = file.Span;
        if (span.Length < Signature.Length || !span.Slice(0, Signature.Length).SequenceEqual(Signature))
        {
            string found = Convert.ToHexString(span.Slice(0, Math.Min(span.Length, Signature.Length)));
            throw new PngFormatException("signature", 0, $"the file starts with {(found.Length == 0 ? "nothing" : "0x" + found)}; a PNG starts with 0x89504E470D0A1A0A.");
        }

        PngStructure? result = null;
        long budget = options.MaxMetadataBytes;
        bool seenPalette = false, seenTransparency = false, imageDataEnded = false;
        uint previousType = 0;
        int position = Signature.Length;
        while (true)
        {
            if (position == span.Length)
            {
                string after = previousType == 0 ? "the signature" : $"chunk {PngChunkType.ToString(previousType)}";
                throw new PngFormatException("IEND", position, $"the file ends after {after} without an IEND chunk (truncated file).");
            }
            int remaining = span.Length - position;
            if (remaining < 12)
            {
                string partial = remaining >= 8 ? PngChunkType.ToString(BinaryPrimitives.ReadUInt32BigEndian(span.Slice(position + 4))) : "(truncated)";
                throw new PngFormatException(partial, position, $"only {remaining} bytes remain; a chunk needs at least 12 (length, type, CRC) (truncated file).");
            }
            uint length = BinaryPrimitives.ReadUInt32BigEndian(span.Slice(position));
            uint code = BinaryPrimitives.ReadUInt32BigEndian(span.Slice(position + 4));
            string type = PngChunkType.ToString(code);
            if (!PngChunkType.IsValid(code))
                throw new PngFormatException(type, position, "the chunk type is not four ASCII letters (corrupt file or wrong chunk length before it).");
            if (length > int.MaxValue)
                throw new PngFormatException(type, position, $"declared length 0x{length:X8} exceeds the PNG maximum 2^31-1.");
            if (length > remaining - 12)
                throw new PngFormatException(type, position, $"declares {length} data bytes but only {remaining - 12} remain before the CRC would start (truncated file or wrong length).");
            int dataOffset = position + 8;
            var data = span.Slice(dataOffset, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(span.Slice(dataOffset + (int)length));
            uint computed = PngCrc32.Compute(span.Slice(position + 4, 4 + (int)length));
            if (stored != computed)
                throw new PngFormatException(type, position, $"CRC mismatch: stored 0x{stored:X8}, computed 0x{computed:X8} over the type and {length} data bytes (corrupt file).");

            if (result is null)
            {
                if (code != PngChunkType.Ihdr)
                    throw new PngFormatException(type, position, "the first chunk must be IHDR.");
                result = new PngStructure(PngHeader.Parse(data, position, options));
            }
            else
            {
                var header = result.Header;
                bool inImageData = result.ImageData.Count > 0;
                if (inImageData && code != PngChunkType.Idat)
                    imageDataEnded = true;
                switch (code)
                {
                    case PngChunkType.Ihdr:
                        throw new PngFormatException(type, position, "a second IHDR chunk.");
                    case PngChunkType.Plte:
                        if (inImageData)
                            throw new PngFormatException(type, position, "PLTE after the image data; it must precede the first IDAT.");
                        if (seenPalette)
                            throw new PngFormatException(type, position, "a second PLTE chunk.");
                        if (seenTransparency)
                            throw new PngFormatException(type, position, "PLTE after tRNS; tRNS must follow PLTE.");
                        if (header.ColorType is PngColorType.Gray or PngColorType.GrayAlpha)
                            throw new PngFormatException(type, position, $"PLTE is not allowed for colour type {(int)header.ColorType} ({header.ColorType}).");
                        if (length == 0 || length % 3 != 0 || length > 768)
                            throw new PngFormatException(type, position, $"length {length} is not 3 × (1 to 256 entries).");
                        if (header.ColorType == PngColorType.Palette && length / 3 > 1 << header.BitDepth)
                            throw new PngFormatException(type, position, $"{length / 3} entries exceed the {1 << header.BitDepth} a bit depth of {header.BitDepth} can index.");
                        seenPalette = true;
                        // A suggested palette for RGB/RGBA images (§11.2.3) is not needed to decode; keep only real ones.
                        if (header.ColorType == PngColorType.Palette)
                            result.Palette = data.ToArray();
                        break;
                    case PngChunkType.Trns:
                        if (inImageData)
                            throw new PngFormatException(type, position, "tRNS after the image data; it must precede the first IDAT.");
                        if (seenTransparency)
                            throw new PngFormatException(type, position, "a second tRNS chunk.");
                        seenTransparency = true;
                        result.Transparency = ReadTransparency(header, data, seenPalette ? result.Palette.Length / 3 : -1, position);
                        break;
                    case PngChunkType.Idat:
                        if (imageDataEnded)
                            throw new PngFormatException(type, position, "IDAT chunks are not consecutive; another chunk interrupts the image data.");
                        if (header.ColorType == PngColorType.Palette && !seenPalette)
                            throw new PngFormatException(type, position, "palette image (colour type 3) has no PLTE chunk before its image data.");
                        result.ImageData.Add(new PngDataSegment(dataOffset, (int)length, position));
                        result.ImageDataBytes += length;
                        break;
                    case PngChunkType.Iend:
                        if (length != 0)
                            throw new PngFormatException(type, position, $"IEND has {length} data bytes; it must be empty.");
                        if (result.ImageData.Count == 0)
                            throw new PngFormatException(type, position, "the file has no IDAT chunk (no image data).");
                        // Bytes after IEND are ignored, as libpng does: some tools append data there.
                        return result;
                    default:
                        if (PngChunkType.IsCritical(code))
                            throw new PngFormatException(type, position, "unknown critical chunk; it may change how the image must be decoded, so decoding is refused.");
                        if (options.ReadMetadata)
                        {
                            var where = inImageData ? PngChunkPosition.AfterImageData : PngChunkPosition.BeforeImageData;
                            result.ReadAncillary(file, code, type, dataOffset, (int)length, position, where, options, ref budget);
                        }
                        break;
                }
            }
            previousType = code;
            position = dataOffset + (int)length + 4;
        }
    }

    private void ReadAncillary(ReadOnlyMemory<byte> file, uint code, string type, int dataOffset, int length, long chunkOffset,
        PngChunkPosition where, PngDecodeOptions options, ref long budget)
    {
        if (code is PngChunkType.Text or PngChunkType.Ztxt or PngChunkType.Itxt)
        {
            Metadata.Add(PngTextCodec.Parse(file, dataOffset, length, type, chunkOffset, where, options, ref budget));
            return;
        }
        // Chunks tied to the source's sample encoding or animation, and chunks in a position the specification forbids
        // (e.g. iCCP after IDAT), are not kept, so that re-encoding never writes an invalid file. The pixels do not
        // depend on them; the documentation of PngDecoder lists this.
        if (PngRawChunk.Problem(type, where) is not null)
            return;
        budget -= length;
        if (budget < 0)
            throw new PngFormatException(type, chunkOffset, $"metadata exceeds {options.MaxMetadataBytes} bytes in total (PngDecodeOptions.MaxMetadataBytes).");
        Metadata.Add(new PngRawChunk(type, file.Span.Slice(dataOffset, length), where));
    }

    private static byte[] ReadTransparency(PngHeader header, ReadOnlySpan<byte> data, int paletteEntries, long offset)
    {
        const string Type = "tRNS";
        switch (header.ColorType)
        {
            case PngColorType.Palette:
                if (paletteEntries < 0)
                    throw new PngFormatException(Type, offset, "tRNS before PLTE; for a palette image it must follow PLTE.");
                if (data.Length > paletteEntries)
                    throw new PngFormatException(Type, offset, $"{data.Length} alpha values for a palette of {paletteEntries} entries.");
                break;
            case PngColorType.Gray:
                if (data.Length != 2)
                    throw new PngFormatException(Type, offset, $"length {data.Length}; a gray colour key is 2 bytes.");
                break;
            case PngColorType.Rgb:
                if (data.Length != 6)
                    throw new PngFormatException(Type, offset, $"length {data.Length}; an RGB colour key is 6 bytes.");
                break;
            default:
                throw new PngFormatException(Type, offset, $"tRNS is not allowed for colour type {(int)header.ColorType} ({header.ColorType}), which has an alpha channel.");
        }
        return data.ToArray();
    }
}
