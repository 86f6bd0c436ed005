using System.IO.Compression;

namespace Atelier.Formats.Images;

/// <summary>
/// Pulls scanlines (filter byte + row) out of the IDAT zlib stream. It inflates in blocks of up to 64 KiB, which is
/// markedly cheaper than one inflate call per row, but never asks for more than the bytes the header says remain, so a
/// decompression bomb is stopped by <see cref="Finish"/> one byte past the expected size. Errors name the IDAT chunk
/// being read.
/// </summary>
internal sealed class PngScanlineReader : IDisposable
{
    private const int BlockBytes = 64 * 1024;

    private readonly PngSegmentStream _source;
    private readonly ZLibStream _inflater;
    private readonly byte[] _block;
    private readonly long _expected;
    private long _requested;   // bytes asked of the inflater so far (never above _expected)
    private int _start, _end;  // unread bytes of the block

    public PngScanlineReader(ReadOnlyMemory<byte> file, IReadOnlyList<PngDataSegment> imageData, long expected)
    {
        _source = new PngSegmentStream(file, imageData);
        _inflater = new ZLibStream(_source, CompressionMode.Decompress);
        _block = new byte[(int)Math.Min(BlockBytes, expected)];
        _expected = expected;
    }

    /// <summary>Offset of the IDAT chunk being read, for error messages.</summary>
    public long ChunkOffset => _source.CurrentChunkOffset;

    /// <summary>Where a scanline sits, formatted only when an error needs it.</summary>
    public readonly record struct Location(int PassCount, int Pass, int Scanline, int Y)
    {
        public override string ToString() => PassCount > 1 ? $"scanline {Scanline} of pass {Pass + 1} (image row {Y})" : $"row {Y}";
    }

    /// <summary>Fills <paramref name="line"/>; <paramref name="where"/> describes it for error messages.</summary>
    public void Read(Span<byte> line, in Location where)
    {
        while (line.Length > 0)
        {
            if (_start == _end)
                Refill(where);
            int n = Math.Min(line.Length, _end - _start);
            _block.AsSpan(_start, n).CopyTo(line);
            _start += n;
            line = line.Slice(n);
        }
    }

    /// <summary>After the last scanline: one more inflated byte means the stream is longer than the image.</summary>
    public void Finish(string imageDescription)
    {
        Span<byte> probe = stackalloc byte[1];
        try
        {
            if (_inflater.Read(probe) > 0)
                throw new PngFormatException("IDAT", ChunkOffset, $"the image data inflates to more than the {_expected} bytes a {imageDescription} image needs; decompression was stopped.");
        }
        catch (InvalidDataException e)
        {
            throw new PngFormatException("IDAT", ChunkOffset, $"the zlib stream is corrupt after the last scanline: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        _inflater.Dispose();
        _source.Dispose();
    }

    private void Refill(in Location where)
    {
        int want = (int)Math.Min(_block.Length, _expected - _requested);
        int n = 0;
        try
        {
            if (want > 0)
                n = _inflater.Read(_block.AsSpan(0, want));
        }
        catch (InvalidDataException e)
        {
            throw new PngFormatException("IDAT", ChunkOffset, $"the zlib stream is corrupt at {where}: {e.Message}", e);
        }
        if (n == 0)
            throw new PngFormatException("IDAT", ChunkOffset, $"the image data ends after {_requested} of {_expected} inflated bytes, in {where} (truncated or corrupt zlib stream).");
        _requested += n;
        _start = 0;
        _end = n;
    }
}
