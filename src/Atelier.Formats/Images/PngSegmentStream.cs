namespace Atelier.Formats.Images;

/// <summary>One run of compressed bytes inside the file: the data of an IDAT, zTXt or iTXt chunk.</summary>
internal readonly record struct PngDataSegment(int DataOffset, int Length, long ChunkOffset);

/// <summary>
/// A forward-only, read-only stream over segments of the file, e.g. the data of consecutive IDAT chunks, which
/// together form one zlib stream (§10.1). Tracks the segment being read so that errors can name its chunk.
/// </summary>
internal sealed class PngSegmentStream : Stream
{
    private readonly ReadOnlyMemory<byte> _file;
    private readonly IReadOnlyList<PngDataSegment> _segments;
    private int _segment;
    private int _inSegment;
    private long _position;

    public PngSegmentStream(ReadOnlyMemory<byte> file, IReadOnlyList<PngDataSegment> segments)
    {
        _file = file;
        _segments = segments;
    }

    /// <summary>Offset of the chunk whose data is being read (the last one once all are consumed).</summary>
    public long CurrentChunkOffset => _segments.Count == 0 ? 0 : _segments[Math.Min(_segment, _segments.Count - 1)].ChunkOffset;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_segment < _segments.Count)
        {
            var segment = _segments[_segment];
            int available = segment.Length - _inSegment;
            if (available > 0)
            {
                int n = Math.Min(available, buffer.Length);
                _file.Span.Slice(segment.DataOffset + _inSegment, n).CopyTo(buffer);
                _inSegment += n;
                _position += n;
                return n;
            }
            if (_segment + 1 == _segments.Count)
                break;
            _segment++;
            _inSegment = 0;
        }
        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
