namespace Atelier.Formats.Images;

/// <summary>
/// Decodes PNG files from untrusted sources into RGBA images: every colour type at every bit depth, palettes and tRNS,
/// Adam7, all filter types, any number of IDAT chunks. Safety rules, in order:
/// <list type="number">
/// <item>The whole chunk layout is read first (<see cref="PngStructure"/>): every CRC, every length against the bytes
/// present, chunk order, IHDR/PLTE/tRNS consistency; unknown critical chunks are refused.</item>
/// <item>Before allocating pixels: width and height within <see cref="PngDecodeOptions.MaxWidth"/>/<see cref="PngDecodeOptions.MaxHeight"/>,
/// inflated data and the output buffer within <see cref="PngDecodeOptions.MaxDecodedBytes"/>, and the compressed data
/// large enough to inflate to what the header claims at deflate's maximum ratio (1032:1); a 100-byte file cannot make
/// the decoder allocate a gigabyte.</item>
/// <item>Inflation is streamed scanline by scanline into two row buffers, so a decompression bomb stops one byte after
/// the expected size.</item>
/// </list>
/// Every failure is a <see cref="PngFormatException"/> naming the chunk and its offset.
/// Metadata: text chunks and other ancillary chunks are kept in order with their position (<see cref="PngMetadata"/>),
/// except tRNS (applied to the pixels), bKGD, sBIT, hIST (tied to the source's sample format), acTL, fcTL, fdAT
/// (animation; the default image is decoded) and chunks in a position the specification forbids. Bytes after IEND are
/// ignored.
/// </summary>
public static class PngDecoder
{
    /// <summary>Deflate's largest expansion: a 258-byte match coded in 2 bits (RFC 1951 §3.2.5; zlib's "1032:1").</summary>
    private const long MaxDeflateRatio = 1032;

    /// <summary>Decodes to 8-bit RGBA; 16-bit samples are rounded (round(v · 255 / 65535)).</summary>
    public static PngDecoded<Image> Decode(ReadOnlyMemory<byte> png, PngDecodeOptions? options = null)
    {
        options ??= PngDecodeOptions.Default;
        var structure = PngStructure.Read(png, options);
        var header = structure.Header;
        CheckSizes(structure, options, bytesPerSample: 1);
        var image = new Image(header.Width, header.Height, 4);
        var expander = new PngRowExpander(header, structure.Palette, structure.Transparency);
        ReadImageData(png, structure, (row, pass, column0, y) =>
            expander.ToRgba8(row, pass.Width, image.Pixels.AsSpan((int)(4 * ((long)y * header.Width + column0))), pass.XStep));
        return new PngDecoded<Image>(header, structure.Metadata, image);
    }

    /// <summary>Decodes to 16-bit RGBA; samples below 16 bits are scaled exactly (an 8-bit v becomes v · 257).</summary>
    public static PngDecoded<Image16> Decode16(ReadOnlyMemory<byte> png, PngDecodeOptions? options = null)
    {
        options ??= PngDecodeOptions.Default;
        var structure = PngStructure.Read(png, options);
        var header = structure.Header;
        CheckSizes(structure, options, bytesPerSample: 2);
        var image = new Image16(header.Width, header.Height, 4);
        var expander = new PngRowExpander(header, structure.Palette, structure.Transparency);
        ReadImageData(png, structure, (row, pass, column0, y) =>
            expander.ToRgba16(row, pass.Width, image.Samples.AsSpan((int)(4 * ((long)y * header.Width + column0))), pass.XStep));
        return new PngDecoded<Image16>(header, structure.Metadata, image);
    }

    /// <summary>Reads a whole stream (at most <see cref="PngDecodeOptions.MaxInputBytes"/>) and decodes it to 8-bit RGBA.</summary>
    public static PngDecoded<Image> Decode(Stream stream, PngDecodeOptions? options = null)
    {
        options ??= PngDecodeOptions.Default;
        return Decode(ReadBounded(stream, options.MaxInputBytes), options);
    }

    /// <summary>Reads a file (at most <see cref="PngDecodeOptions.MaxInputBytes"/>) and decodes it to 8-bit RGBA.</summary>
    public static PngDecoded<Image> DecodeFile(string path, PngDecodeOptions? options = null)
    {
        options ??= PngDecodeOptions.Default;
        using var stream = File.OpenRead(path);
        return Decode(ReadBounded(stream, options.MaxInputBytes), options);
    }

    /// <summary>
    /// Header and metadata only: checks the chunk layout and every CRC like <see cref="Decode(ReadOnlyMemory{byte}, PngDecodeOptions?)"/>
    /// but does not inflate the image data, so a file accepted here can still fail to decode.
    /// </summary>
    public static PngInfo ReadInfo(ReadOnlyMemory<byte> png, PngDecodeOptions? options = null)
    {
        var structure = PngStructure.Read(png, options ?? PngDecodeOptions.Default);
        return new PngInfo(structure.Header, structure.Metadata);
    }

    private delegate int RowSink(ReadOnlySpan<byte> row, PngPass pass, int column0, int y);

    private static void CheckSizes(PngStructure structure, PngDecodeOptions options, int bytesPerSample)
    {
        var header = structure.Header;
        var first = structure.ImageData[0];
        long inflated = header.InflatedBytes();
        if (inflated > options.MaxDecodedBytes)
            throw new PngFormatException("IHDR", 8, $"{header.Width}x{header.Height} at {header.BitsPerPixel} bits per pixel inflates to {inflated} bytes; the limit is {options.MaxDecodedBytes} (PngDecodeOptions.MaxDecodedBytes).");
        long output = (long)header.Width * header.Height * 4 * bytesPerSample;
        if (output > options.MaxDecodedBytes)
            throw new PngFormatException("IHDR", 8, $"{header.Width}x{header.Height} decodes to {output} bytes of RGBA; the limit is {options.MaxDecodedBytes} (PngDecodeOptions.MaxDecodedBytes).");
        if (inflated > structure.ImageDataBytes * MaxDeflateRatio)
            throw new PngFormatException("IDAT", first.ChunkOffset, $"{structure.ImageDataBytes} compressed bytes cannot inflate to the {inflated} bytes a {header.Width}x{header.Height} image needs (deflate expands at most {MaxDeflateRatio}:1); the image data is truncated or the header is wrong.");
    }

    /// <summary>Inflates the IDAT stream scanline by scanline, reconstructs each and hands it to <paramref name="sink"/>.</summary>
    private static void ReadImageData(ReadOnlyMemory<byte> file, PngStructure structure, RowSink sink)
    {
        var header = structure.Header;
        var passes = header.Passes();
        int bpp = header.FilterStride;
        int maxRowBytes = (int)header.RowBytes(header.Width);
        var current = new byte[maxRowBytes + 1];
        var prior = new byte[maxRowBytes + 1];
        using var reader = new PngScanlineReader(file, structure.ImageData, header.InflatedBytes());
        for (int p = 0; p < passes.Count; p++)
        {
            var pass = passes[p];
            if (pass.Width == 0 || pass.Height == 0)
                continue;
            int rowBytes = (int)header.RowBytes(pass.Width);
            Array.Clear(prior);
            for (int j = 0; j < pass.Height; j++)
            {
                int y = pass.YStart + j * pass.YStep;
                var line = current.AsSpan(0, rowBytes + 1);
                var where = new PngScanlineReader.Location(passes.Count, p, j, y);
                reader.Read(line, where);
                byte filter = line[0];
                if (filter > (byte)PngFilterType.Paeth)
                    throw new PngFormatException("IDAT", reader.ChunkOffset, $"{where} has filter type {filter}; expected 0–4 (None, Sub, Up, Average, Paeth).");
                var row = line.Slice(1);
                PngUnfilter.Apply((PngFilterType)filter, row, prior.AsSpan(1, rowBytes), bpp);
                int bad = sink(row, pass, pass.XStart, y);
                if (bad >= 0)
                {
                    int index = header.BitDepth == 8 ? row[bad] : (row[bad * header.BitDepth >> 3] >> (8 - header.BitDepth - (bad * header.BitDepth & 7))) & ((1 << header.BitDepth) - 1);
                    throw new PngFormatException("IDAT", reader.ChunkOffset, $"pixel ({pass.XStart + bad * pass.XStep}, {y}) has palette index {index}, but PLTE has {structure.Palette.Length / 3} entries.");
                }
                (current, prior) = (prior, current);
            }
        }
        reader.Finish($"{header.Width}x{header.Height}");
    }

    private static byte[] ReadBounded(Stream stream, long maxBytes)
    {
        if (stream.CanSeek)
        {
            long length = stream.Length - stream.Position;
            if (length > maxBytes)
                throw new PngFormatException("file", 0, $"the input is {length} bytes; the limit is {maxBytes} (PngDecodeOptions.MaxInputBytes).");
            var exact = new byte[length];
            stream.ReadExactly(exact);
            return exact;
        }
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + n > maxBytes)
                throw new PngFormatException("file", buffer.Length, $"the input exceeds {maxBytes} bytes (PngDecodeOptions.MaxInputBytes).");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }
}
