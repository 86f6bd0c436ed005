using System.Text.Json;
using Atelier.Formats.Images;

namespace Atelier.Formats.Tests.Images;

/// <summary>Our encoder → our decoder, and our encoder → PIL (tools/png-corpus.py --verify): lossless for every supported type.</summary>
public sealed class PngRoundTripTests : IDisposable
{
    private static readonly (int Width, int Height)[] s_sizes = [(1, 1), (7, 3), (33, 17), (64, 5), (3, 70)];
    private static readonly PngFilterStrategy[] s_strategies = Enum.GetValues<PngFilterStrategy>();

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "atelier-png-roundtrip-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    public static IEnumerable<Image> Images()
    {
        int seed = 0;
        for (int channels = 1; channels <= 4; channels++)
        {
            foreach (var (width, height) in s_sizes)
            {
                yield return TestImages.Noise(width, height, channels, seed++);
                yield return TestImages.Gradient(width, height, channels, seed++);
            }
        }
    }

    [Fact]
    public void Encoder_to_decoder_is_lossless_for_every_channel_count_strategy_and_level()
    {
        foreach (var image in Images())
        {
            foreach (var strategy in s_strategies)
            {
                var options = new PngEncodeOptions { Filter = strategy, IdatChunkBytes = 100 };
                var decoded = PngDecoder.Decode(PngEncoder.Encode(image, options));
                Assert.Equal(image.Channels switch { 1 => PngColorType.Gray, 2 => PngColorType.GrayAlpha, 3 => PngColorType.Rgb, _ => PngColorType.Rgba }, decoded.Header.ColorType);
                Assert.True(ToRgba(image).PixelsEqual(decoded.Image), $"{image} with {strategy}");
            }
            foreach (var options in new[] { PngEncodeOptions.Fast, PngEncodeOptions.Small, new PngEncodeOptions { Compression = System.IO.Compression.CompressionLevel.NoCompression } })
                Assert.True(ToRgba(image).PixelsEqual(PngDecoder.Decode(PngEncoder.Encode(image, options)).Image), $"{image} with {options}");
        }
    }

    [Fact]
    public void Decode16_of_an_8_bit_file_scales_by_257()
    {
        var image = TestImages.Noise(5, 4, 4, 9);
        var decoded = PngDecoder.Decode16(PngEncoder.Encode(image));
        Assert.Equal(image.Pixels.Select(v => (ushort)(v * 257)), decoded.Image.Samples);
        Assert.True(image.PixelsEqual(decoded.Image.ToImage()));
    }

    [Fact]
    public void Small_option_makes_smaller_files_than_fast_on_smooth_content()
    {
        var image = TestImages.Gradient(256, 128, 4, 1);
        int fast = PngEncoder.Encode(image, PngEncodeOptions.Fast).Length;
        int small = PngEncoder.Encode(image, PngEncodeOptions.Small).Length;
        Assert.True(small < fast, $"small {small} bytes, fast {fast} bytes");
    }

    [Fact]
    public void Encoded_file_has_the_expected_chunk_layout()
    {
        var metadata = new PngMetadata();
        metadata.Add(PngTextChunk.Latin1("Title", "before"));
        metadata.Add(new PngRawChunk("iCCP", [1, 2, 3]));
        metadata.Add(PngTextChunk.International("Provenance", "after ✓", compress: true, position: PngChunkPosition.AfterImageData));
        byte[] png = PngEncoder.Encode(TestImages.Gradient(40, 30, 3, 2), new PngEncodeOptions { IdatChunkBytes = 64 }, metadata);
        var chunks = PngBytes.Split(png);
        var types = chunks.Select(c => c.Type).Distinct().ToList();
        Assert.Equal(["IHDR", "tEXt", "iCCP", "IDAT", "iTXt", "IEND"], types);
        Assert.True(chunks.Count(c => c.Type == "IDAT") > 1);
        Assert.All(chunks.Where(c => c.Type == "IDAT"), c => Assert.True(c.Data.Length <= 64));
        Assert.Equal(png.AsSpan(0, 8).ToArray(), PngBytes.Signature);
        // Independent CRC check of every chunk.
        int offset = 8;
        foreach (var chunk in chunks)
        {
            uint stored = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + chunk.Data.Length));
            Assert.Equal(PngBytes.BitwiseCrc(png.AsSpan(offset + 4, 4 + chunk.Data.Length)), stored);
            offset += 12 + chunk.Data.Length;
        }
        Assert.Equal(png.Length, offset);
    }

    [Fact]
    public void Metadata_round_trips_in_order_with_positions()
    {
        var metadata = new PngMetadata();
        metadata.Add(PngTextChunk.Latin1("parameters", "a red fox, Steps: 20, Seed: 7"));
        metadata.Add(new PngRawChunk("eXIf", [0x4D, 0x4D, 0, 42]));
        metadata.Add(PngTextChunk.Latin1("Comment", "caf\u00e9", compress: true));
        metadata.Add(PngTextChunk.International("Titel", "Fuchs \u2013 \u00fc", languageTag: "de-DE", translatedKeyword: "Title"));
        metadata.Add(PngTextChunk.International("Empty", "", compress: true, position: PngChunkPosition.AfterImageData));
        metadata.Add(new PngRawChunk("caBX", new byte[300], PngChunkPosition.AfterImageData));
        metadata.Add(PngTextChunk.Latin1("After", "end", position: PngChunkPosition.AfterImageData));
        var image = TestImages.Noise(8, 8, 3, 4);
        var decoded = PngDecoder.Decode(PngEncoder.Encode(image, null, metadata));
        Assert.Equal(metadata.Chunks, decoded.Metadata.Chunks);
        Assert.Equal("a red fox, Steps: 20, Seed: 7", decoded.Metadata.GetText("parameters"));
        Assert.Equal(3, decoded.Metadata.Text.Count(t => t.Position == PngChunkPosition.BeforeImageData));
        Assert.Equal(decoded.Metadata.Chunks, PngDecoder.ReadInfo(PngEncoder.Encode(image, null, decoded.Metadata)).Metadata.Chunks);
    }

    [Fact]
    public void Provenance_step_can_insert_a_chunk_at_a_chosen_position()
    {
        var source = new PngMetadata();
        source.Add(PngTextChunk.Latin1("parameters", "p"));
        source.Add(PngTextChunk.Latin1("Comment", "c", position: PngChunkPosition.AfterImageData));
        var decoded = PngDecoder.Decode(PngEncoder.Encode(TestImages.Noise(4, 4, 4, 1), null, source));
        decoded.Metadata.Chunks.Insert(decoded.Metadata.IndexOf("tEXt") + 1, new PngRawChunk("caBX", [9, 9]));
        var chunks = PngBytes.Split(PngEncoder.Encode(decoded.Image, null, decoded.Metadata)).Select(c => c.Type).ToList();
        Assert.Equal(["IHDR", "tEXt", "caBX", "IDAT", "tEXt", "IEND"], chunks);
    }

    [Fact]
    public void Encoder_refuses_chunks_it_cannot_write_correctly()
    {
        var moved = new PngRawChunk("iCCP", [1]) with { Position = PngChunkPosition.AfterImageData };
        var e = Assert.Throws<ArgumentException>(() => PngEncoder.Encode(TestImages.Noise(2, 2, 3, 1), null, new PngMetadata([moved])));
        Assert.Contains("iCCP", e.Message);
        Assert.Throws<ArgumentException>(() => new PngRawChunk("iCCP", [1], PngChunkPosition.AfterImageData));
        Assert.Throws<ArgumentException>(() => new PngRawChunk("IDAT", [1]));
        Assert.Throws<ArgumentException>(() => new PngRawChunk("tRNS", [1]));
        Assert.Throws<ArgumentException>(() => new PngRawChunk("tEXt", [1]));
        Assert.Throws<ArgumentException>(() => new PngRawChunk("ab", [1]));
        var untouched = new MemoryStream();
        Assert.Throws<ArgumentOutOfRangeException>(() => PngEncoder.Encode(TestImages.Noise(2, 2, 3, 1), untouched, new PngEncodeOptions { IdatChunkBytes = 0 }));
        Assert.Equal(0, untouched.Length);
        var nulls = new PngMetadata();
        nulls.Chunks.Add(null!);
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(TestImages.Noise(2, 2, 3, 1), null, nulls));
    }

    [SkippableFact]
    public void Encoder_output_decodes_identically_in_pil()
    {
        PngCorpusScript.SkipUnlessAvailable();
        Directory.CreateDirectory(_directory);
        int index = 0;
        foreach (var image in Images())
        {
            foreach (var options in new[] { PngEncodeOptions.Fast, PngEncodeOptions.Small, new PngEncodeOptions { Filter = PngFilterStrategy.Paeth, IdatChunkBytes = 50 } })
            {
                string stem = Path.Combine(_directory, $"atelier-{index++}-c{image.Channels}-{image.Width}x{image.Height}");
                File.WriteAllBytes(stem + ".png", PngEncoder.Encode(image, options));
                File.WriteAllBytes(stem + ".rgba", ToRgba(image).Pixels);
            }
        }
        var metadata = new PngMetadata();
        metadata.Add(PngTextChunk.Latin1("parameters", "a lighthouse, Seed: 42"));
        metadata.Add(PngTextChunk.Latin1("Comment", "caf\u00e9", compress: true));
        metadata.Add(PngTextChunk.International("Description", "\u65e5\u672c\u8a9e", languageTag: "ja", translatedKeyword: "\u8aac\u660e"));
        metadata.Add(PngTextChunk.International("Software", "Atelier", compress: true, position: PngChunkPosition.AfterImageData));
        var text = TestImages.Gradient(20, 10, 3, 5);
        File.WriteAllBytes(Path.Combine(_directory, "atelier-text.png"), PngEncoder.Encode(text, PngEncodeOptions.Small, metadata));
        File.WriteAllBytes(Path.Combine(_directory, "atelier-text.rgba"), ToRgba(text).Pixels);
        File.WriteAllText(Path.Combine(_directory, "atelier-text.json"),
            JsonSerializer.Serialize(new { chunks = metadata.Text.Select(t => new { keyword = t.Keyword, text = t.Text }) }));

        var (exitCode, output) = PngCorpusScript.Run("--verify", _directory);
        Assert.True(exitCode == 0, $"PIL disagrees with the encoder:\n{output}");
        Assert.Contains($"verified {index + 1} files", output);
    }

    /// <summary>Expected RGBA of an image: gray replicated, opaque where there is no alpha.</summary>
    private static Image ToRgba(Image image)
    {
        var rgba = new Image(image.Width, image.Height, 4);
        for (int i = 0; i < image.Width * image.Height; i++)
        {
            var p = image.Pixels.AsSpan(i * image.Channels, image.Channels);
            var (r, g, b) = image.Channels >= 3 ? (p[0], p[1], p[2]) : (p[0], p[0], p[0]);
            byte a = image.Channels is 2 or 4 ? p[^1] : (byte)255;
            rgba.Pixels[4 * i] = r;
            rgba.Pixels[4 * i + 1] = g;
            rgba.Pixels[4 * i + 2] = b;
            rgba.Pixels[4 * i + 3] = a;
        }
        return rgba;
    }
}
