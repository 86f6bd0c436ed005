using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

public class PngCodecTests
{
    [Fact]
    public void EncodeThenDecode_ReturnsTheSamePixels()
    {
        var random = new Random(7);
        var pixels = new byte[13 * 9 * 4];
        random.NextBytes(pixels);
        var image = new RgbaImage(13, 9, pixels);

        RgbaImage back = DataSetPng.Decode(PngEncoder.Encode(image), "roundtrip.png");

        Assert.Equal((13, 9), (back.Width, back.Height));
        Assert.Equal(pixels, back.Pixels);
    }

    [Fact]
    public void Encode_IsDeterministic() =>
        Assert.Equal(SyntheticPackages.SolidPng(3), SyntheticPackages.SolidPng(3));

    [Fact]
    public void Decode_ExpandsPaletteWithTransparencyAtFourBits()
    {
        // 3x1 image, 4-bit palette: indices 0, 1, 2; entry 1 is half transparent.
        byte[] palette = [255, 0, 0, 0, 255, 0, 0, 0, 255];
        byte[] trns = [255, 128];
        byte[] rows = [0, 0x01, 0x20];  // filter 0, then packed nibbles 0|1, 2|pad
        byte[] png = BuildPng(3, 1, bitDepth: 4, colorType: 3, rows, ("PLTE", palette), ("tRNS", trns));

        RgbaImage image = DataSetPng.Decode(png, "palette.png");

        Assert.Equal(new byte[] { 255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 255 }, image.Pixels);
    }

    [Fact]
    public void Decode_ExpandsGreyAlphaAndUndoesPaethFilter()
    {
        // 2x2 grey+alpha; second row Paeth-filtered against the first.
        byte[] rows = [0, 10, 255, 20, 128, 4, 5, 0, 7, 0];
        byte[] png = BuildPng(2, 2, bitDepth: 8, colorType: 4, rows);

        RgbaImage image = DataSetPng.Decode(png, "grey.png");

        // Row 1, pixel 0: Paeth(a=0, b=10, c=0) = 10 → 15; alpha: Paeth(0, 255, 0) = 255 → 255 + 0.
        Assert.Equal(new byte[] { 10, 10, 10, 255, 20, 20, 20, 128, 15, 15, 15, 255, 27, 27, 27, 128 }, image.Pixels);
    }

    [Fact]
    public void Decode_CorruptChunk_NamesFileAndChunk()
    {
        byte[] png = SyntheticPackages.SolidPng(1);
        png[45] ^= 0xFF;  // inside the IDAT data (signature 8 + IHDR 25 + IDAT length and type 8)

        var e = Assert.Throws<InvalidDataException>(() => DataSetPng.Decode(png, "broken.png"));

        Assert.Contains("broken.png", e.Message);
        Assert.Contains("IDAT", e.Message);
    }

    [Fact]
    public void Decode_SixteenBit_IsReducedToEightBit()
    {
        // one RGBA16 pixel: filter byte 0, then R=0xFFFF G=0x8000 B=0x0000 A=0xFFFF (big-endian)
        byte[] png = BuildPng(1, 1, bitDepth: 16, colorType: 6, [0, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0xFF, 0xFF]);

        RgbaImage image = DataSetPng.Decode(png, "deep.png");

        Assert.Equal(new byte[] { 255, 128, 0, 255 }, image.Pixels);
    }

    internal static byte[] BuildPng(int width, int height, byte bitDepth, byte colorType, byte[] rows, params (string Type, byte[] Data)[] extra)
    {
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colorType;
        Chunk(png, "IHDR", header);
        foreach ((string type, byte[] data) in extra)
            Chunk(png, type, data);
        using var z = new MemoryStream();
        using (var zlib = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true))
            zlib.Write(rows);
        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var word = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        byte[] t = Encoding.ASCII.GetBytes(type);
        s.Write(t);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(t, data));
        s.Write(word);
    }
}
