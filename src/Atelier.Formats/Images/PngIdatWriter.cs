namespace Atelier.Formats.Images;

/// <summary>
/// A write-only stream that the zlib compressor writes into: it cuts the compressed bytes into IDAT chunks of at most
/// the given size. <see cref="Finish"/> writes the last, partial chunk.
/// </summary>
internal sealed class PngIdatWriter : Stream
{
    private readonly Stream _output;
    private readonly byte[] _buffer;
    private int _filled;

    public PngIdatWriter(Stream output, int chunkBytes)
    {
        if (chunkBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(chunkBytes), chunkBytes, "PngEncodeOptions.IdatChunkBytes must be at least 1.");
        _output = output;
        _buffer = new byte[chunkBytes];
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            int n = Math.Min(buffer.Length, _buffer.Length - _filled);
            buffer.Slice(0, n).CopyTo(_buffer.AsSpan(_filled));
            _filled += n;
            buffer = buffer.Slice(n);
            if (_filled == _buffer.Length)
                EmitChunk();
        }
    }

    public void Finish()
    {
        if (_filled > 0)
            EmitChunk();
    }

    // Flush is called by the compressor on its own schedule; chunk boundaries do not need to follow it.
    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void EmitChunk()
    {
        PngChunkWriter.Write(_output, PngChunkType.Idat, _buffer.AsSpan(0, _filled));
        _filled = 0;
    }
}
