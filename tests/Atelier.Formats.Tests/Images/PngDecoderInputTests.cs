using Atelier.Formats.Images;

namespace Atelier.Formats.Tests.Images;

/// <summary>The stream and file entry points, and their input-size limit.</summary>
public sealed class PngDecoderInputTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "atelier-png-input-" + Guid.NewGuid().ToString("N") + ".png");
    private readonly Image _image = TestImages.Gradient(19, 11, 4, 3);

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Stream_and_file_decode_like_bytes()
    {
        byte[] png = PngEncoder.Encode(_image);
        File.WriteAllBytes(_path, png);
        Assert.True(_image.PixelsEqual(PngDecoder.DecodeFile(_path).Image));
        Assert.True(_image.PixelsEqual(PngDecoder.Decode(new MemoryStream(png)).Image));
        Assert.True(_image.PixelsEqual(PngDecoder.Decode(new NonSeekableStream(png)).Image));
    }

    [Fact]
    public void Input_larger_than_the_limit_is_refused_before_reading_it_all()
    {
        byte[] png = PngEncoder.Encode(_image);
        File.WriteAllBytes(_path, png);
        var options = new PngDecodeOptions { MaxInputBytes = png.Length - 1 };
        foreach (var decode in new Func<PngDecoded<Image>>[]
        {
            () => PngDecoder.DecodeFile(_path, options),
            () => PngDecoder.Decode(new MemoryStream(png), options),
            () => PngDecoder.Decode(new NonSeekableStream(png), options),
        })
        {
            var e = Assert.Throws<PngFormatException>(decode);
            Assert.Equal("file", e.ChunkType);
            Assert.Contains("MaxInputBytes", e.Message);
        }
        Assert.True(_image.PixelsEqual(PngDecoder.Decode(new NonSeekableStream(png), options with { MaxInputBytes = png.Length }).Image));
    }

    [Fact]
    public void Read_info_gives_header_and_metadata_without_inflating()
    {
        var metadata = new PngMetadata([PngTextChunk.Latin1("parameters", "seed 3")]);
        byte[] png = PngEncoder.Encode(_image, null, metadata);
        var info = PngDecoder.ReadInfo(png);
        Assert.Equal(new PngHeader(19, 11, 8, PngColorType.Rgba, false), info.Header);
        Assert.Equal("seed 3", info.Metadata.GetText("parameters"));

        // Garbage image data behind a correct CRC: ReadInfo accepts it (nothing is inflated), Decode does not.
        var chunks = PngBytes.Split(png);
        int idat = chunks.FindIndex(c => c.Type == "IDAT");
        chunks[idat] = new("IDAT", Enumerable.Repeat((byte)0xEE, chunks[idat].Data.Length).ToArray());
        byte[] garbage = PngBytes.Join(chunks);
        Assert.Equal(info.Header, PngDecoder.ReadInfo(garbage).Header);
        Assert.Equal("IDAT", Assert.Throws<PngFormatException>(() => PngDecoder.Decode(garbage)).ChunkType);
    }

    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 1000));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
