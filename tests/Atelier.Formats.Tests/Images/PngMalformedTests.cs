using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Atelier.Formats.Images;

namespace Atelier.Formats.Tests.Images;

/// <summary>
/// A malformed corpus generated from valid files: every one must give a <see cref="PngFormatException"/> naming the
/// chunk, and the decoder's managed allocation while failing must stay under <see cref="SmallBound"/> (all test
/// images decode to at most 16 KB, so a decoder that allocated by what a header claims would show here).
/// </summary>
public class PngMalformedTests
{
    /// <summary>Allocation allowed while rejecting a small file: row buffers, chunk bookkeeping, zlib state, the message.</summary>
    private const long SmallBound = 64 * 1024;

    private static readonly byte[] s_valid = ValidFile();

    [Fact]
    public void Valid_base_file_decodes()
    {
        var decoded = PngDecoder.Decode(s_valid);
        Assert.Equal(33, decoded.Image.Width);
        Assert.Single(decoded.Metadata.Text);
    }

    [Fact]
    public void Every_truncation_is_rejected()
    {
        for (int length = 0; length < s_valid.Length; length++)
        {
            var e = Rejected(s_valid.AsSpan(0, length).ToArray(), $"truncated to {length} bytes");
            Assert.NotEmpty(e.ChunkType);
        }
    }

    [Fact]
    public void Truncations_name_the_chunk_they_cut()
    {
        int idat = PngBytes.OffsetOf(s_valid, 3); // IHDR, tEXt, IDAT... (see ValidFile)
        Assert.Equal("IDAT", Encoding.ASCII.GetString(s_valid, idat + 4, 4));
        var e = Rejected(s_valid.AsSpan(0, idat + 20).ToArray(), "cut inside IDAT");
        Assert.Equal("IDAT", e.ChunkType);
        Assert.Equal(idat, e.Offset);
        Assert.Contains("truncated", e.Message);
        var missingEnd = s_valid.AsSpan(0, s_valid.Length - 12).ToArray();
        Assert.Equal("IEND", Rejected(missingEnd, "no IEND").ChunkType);
    }

    [Fact]
    public void Bad_crc_in_any_chunk_names_that_chunk()
    {
        var chunks = PngBytes.Split(s_valid);
        for (int i = 0; i < chunks.Count; i++)
        {
            int offset = PngBytes.OffsetOf(s_valid, i);
            var crcFlipped = (byte[])s_valid.Clone();
            crcFlipped[offset + 8 + chunks[i].Data.Length] ^= 0x01;
            var e = Rejected(crcFlipped, $"CRC of chunk {i}");
            Assert.Equal(chunks[i].Type, e.ChunkType);
            Assert.Equal(offset, e.Offset);
            Assert.Contains("CRC mismatch", e.Message);

            if (chunks[i].Data.Length > 0)
            {
                var dataFlipped = (byte[])s_valid.Clone();
                dataFlipped[offset + 8 + chunks[i].Data.Length / 2] ^= 0x40;
                Assert.Equal(chunks[i].Type, Rejected(dataFlipped, $"data of chunk {i}").ChunkType);
            }
        }
    }

    [Fact]
    public void Bad_signature_is_rejected()
    {
        for (int i = 0; i < 8; i++)
        {
            var file = (byte[])s_valid.Clone();
            file[i] ^= 0x20;
            Assert.Equal("signature", Rejected(file, $"signature byte {i}").ChunkType);
        }
        Assert.Equal("signature", Rejected([], "empty file").ChunkType);
        Assert.Equal("signature", Rejected("GIF89a"u8.ToArray(), "a GIF").ChunkType);
    }

    [Theory]
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0x80000000u)]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(100_000u)]
    public void Lying_chunk_lengths_are_rejected_without_allocating(uint length)
    {
        for (int i = 0; i < PngBytes.Split(s_valid).Count; i++)
        {
            var file = (byte[])s_valid.Clone();
            int offset = PngBytes.OffsetOf(s_valid, i);
            BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(offset), length);
            var e = Rejected(file, $"chunk {i} length 0x{length:X}");
            Assert.Equal(offset, e.Offset);
        }
    }

    [Theory]
    [InlineData(65535u, 65535u, 8, 6, "limit is 16384x16384")]
    [InlineData(0x80000000u, 1u, 8, 0, "2^31-1")]
    [InlineData(16384u, 16384u, 8, 6, "MaxDecodedBytes")]          // 1 GiB of RGBA: above the 256 MiB default
    [InlineData(8000u, 8000u, 8, 0, "cannot inflate")]             // allowed size, but a few bytes of IDAT cannot hold it
    [InlineData(16384u, 16384u, 1, 0, "MaxDecodedBytes")]          // 32 MiB inflated, 1 GiB RGBA
    public void Huge_dimensions_with_tiny_data_are_rejected_before_allocating(uint width, uint height, byte depth, byte colorType, string expected)
    {
        var file = PngBytes.Join([new("IHDR", PngBytes.Ihdr(width, height, depth, colorType)), new("IDAT", PngBytes.Zlib(new byte[100])), new("IEND", [])]);
        var e = Rejected(file, $"{width}x{height}");
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Limits_are_configurable()
    {
        var options = new PngDecodeOptions { MaxWidth = 32, MaxHeight = 32 };
        var e = Assert.Throws<PngFormatException>(() => PngDecoder.Decode(s_valid, options));
        Assert.Equal("IHDR", e.ChunkType);
        Assert.Contains("32x32", e.Message);
        var small = new PngDecodeOptions { MaxDecodedBytes = 1000 };
        Assert.Contains("MaxDecodedBytes", Assert.Throws<PngFormatException>(() => PngDecoder.Decode(s_valid, small)).Message);
        Assert.Throws<ArgumentException>(() => PngDecoder.Decode(s_valid, new PngDecodeOptions { MaxWidth = 0 }));
    }

    [Theory]
    [InlineData(0u, 10u)]
    [InlineData(10u, 0u)]
    [InlineData(0u, 0u)]
    public void Zero_dimensions_are_rejected(uint width, uint height)
    {
        var file = PngBytes.Simple(PngBytes.Ihdr(width, height, 8, 0), new byte[11]);
        var e = Rejected(file, $"{width}x{height}");
        Assert.Equal("IHDR", e.ChunkType);
        Assert.Contains("at least 1", e.Message);
    }

    [Fact]
    public void Every_invalid_depth_and_colour_type_combination_is_rejected()
    {
        int rejected = 0;
        for (int colorType = 0; colorType <= 8; colorType++)
        {
            for (int depth = 0; depth <= 32; depth++)
            {
                if (colorType is 0 or 2 or 3 or 4 or 6 && PngHeader.IsValidCombination((PngColorType)colorType, depth))
                    continue;
                var file = PngBytes.Simple(PngBytes.Ihdr(4, 4, (byte)depth, (byte)colorType), new byte[64]);
                Assert.Equal("IHDR", Rejected(file, $"colour type {colorType} depth {depth}").ChunkType);
                rejected++;
            }
        }
        Assert.Equal(9 * 33 - 15, rejected);
    }

    [Theory]
    [InlineData(1, 0, 0, "compression method 1")]
    [InlineData(0, 1, 0, "filter method 1")]
    [InlineData(0, 0, 2, "interlace method 2")]
    public void Undefined_methods_are_rejected(byte compression, byte filter, byte interlace, string expected)
    {
        var file = PngBytes.Simple(PngBytes.Ihdr(4, 4, 8, 0, interlace, compression, filter), new byte[20]);
        var e = Rejected(file, expected);
        Assert.Equal("IHDR", e.ChunkType);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Decompression_bomb_is_stopped_at_the_expected_size()
    {
        // 64x64 RGBA needs 64 × (1 + 256) = 16,448 inflated bytes; this IDAT (about 1 MB) inflates to 1 GiB of zeros.
        byte[] bomb = DeflateBomb.Zeros(1L << 30);
        Assert.InRange(bomb.Length, 1_000_000, 1_100_000);
        var file = PngBytes.Join([new("IHDR", PngBytes.Ihdr(64, 64, 8, 6)), new("IDAT", bomb), new("IEND", [])]);
        var e = Rejected(file, "deflate bomb");
        Assert.Equal("IDAT", e.ChunkType);
        Assert.Contains("inflates to more than the 16448 bytes", e.Message);
    }

    [Fact]
    public void Bomb_in_a_text_chunk_is_stopped_at_the_text_limit()
    {
        byte[] bomb = DeflateBomb.Zeros(64L << 20);
        var zTxt = "Comment\0\0"u8.ToArray().Concat(bomb).ToArray();
        var file = Insert(s_valid, 1, new("zTXt", zTxt));
        var e = Rejected(file, "zTXt bomb", new PngDecodeOptions { MaxTextBytes = 16 * 1024 });
        Assert.Equal("zTXt", e.ChunkType);
        Assert.Contains("MaxTextBytes", e.Message);
    }

    [Fact]
    public void Deflate_bomb_generator_is_a_valid_zlib_stream()
    {
        foreach (long count in new long[] { 1, 2, 258, 259, 260, 1000, 100_000 })
        {
            using var z = new ZLibStream(new MemoryStream(DeflateBomb.Zeros(count)), CompressionMode.Decompress);
            var output = new MemoryStream();
            z.CopyTo(output);
            Assert.Equal(count, output.Length);
            Assert.DoesNotContain(output.ToArray(), b => b != 0);
        }
    }

    [Fact]
    public void Chunk_order_errors_are_rejected()
    {
        var chunks = PngBytes.Split(s_valid); // IHDR tEXt IDAT(s) ... IEND
        int firstIdat = chunks.FindIndex(c => c.Type == "IDAT");

        var idatFirst = chunks.ToList();
        (idatFirst[0], idatFirst[firstIdat]) = (idatFirst[firstIdat], idatFirst[0]);
        var e = Rejected(PngBytes.Join(idatFirst), "IDAT before IHDR");
        Assert.Equal("IDAT", e.ChunkType);
        Assert.Contains("first chunk must be IHDR", e.Message);

        Assert.Contains("second IHDR", Rejected(PngBytes.Join(Inserted(chunks, 1, chunks[0])), "two IHDR").Message);
        Assert.Contains("no IDAT", Rejected(PngBytes.Join(chunks.Where(c => c.Type != "IDAT")), "no IDAT").Message);
        Assert.Contains("must be empty", Rejected(PngBytes.Join(chunks.Take(chunks.Count - 1).Append(new("IEND", [1]))), "IEND data").Message);

        var split = SplitIdat(chunks, 3);
        int second = split.FindIndex(c => c.Type == "IDAT") + 1;
        var interrupted = Inserted(split, second, new("tIME", new byte[7]));
        Assert.Contains("not consecutive", Rejected(PngBytes.Join(interrupted), "IDAT interrupted").Message);
    }

    [Fact]
    public void Unknown_critical_chunks_are_refused_and_unknown_ancillary_chunks_skipped()
    {
        var critical = Insert(s_valid, 1, new("ABCD", [1, 2, 3]));
        var e = Rejected(critical, "critical ABCD");
        Assert.Equal("ABCD", e.ChunkType);
        Assert.Contains("unknown critical chunk", e.Message);

        var ancillary = Insert(s_valid, 1, new("abCd", [1, 2, 3]));
        var decoded = PngDecoder.Decode(ancillary);
        Assert.Equal(new PngRawChunk("abCd", [1, 2, 3]), decoded.Metadata.Chunks[0]);

        var notLetters = Insert(s_valid, 1, new("ab1d", [1]));
        Assert.Contains("not four ASCII letters", Rejected(notLetters, "type with a digit").Message);
    }

    [Fact]
    public void Palette_errors_are_rejected()
    {
        // 4x1, 8-bit palette: scanline = filter byte 0 then 4 indices.
        byte[] ihdr = PngBytes.Ihdr(4, 1, 8, 3);
        byte[] indices = [0, 0, 1, 0, 5];
        byte[] twoEntries = [255, 0, 0, 0, 255, 0];

        var noPalette = PngBytes.Simple(ihdr, indices);
        var e = Rejected(noPalette, "no PLTE");
        Assert.Equal("IDAT", e.ChunkType);
        Assert.Contains("no PLTE", e.Message);

        e = Rejected(PngBytes.Simple(ihdr, indices, twoEntries), "index 5 of 2");
        Assert.Equal("IDAT", e.ChunkType);
        Assert.Contains("pixel (3, 0) has palette index 5, but PLTE has 2 entries", e.Message);

        Assert.Equal("PLTE", Rejected(PngBytes.Simple(ihdr, [0, 0, 0, 0, 0], [1, 2, 3, 4]), "PLTE length 4").ChunkType);
        Assert.Equal("PLTE", Rejected(PngBytes.Simple(PngBytes.Ihdr(4, 1, 1, 3), [0, 0], new byte[9]), "3 entries at 1 bit").ChunkType);
        Assert.Equal("PLTE", Rejected(PngBytes.Simple(PngBytes.Ihdr(4, 1, 8, 0), [0, 0, 0, 0, 0], twoEntries), "PLTE for gray").ChunkType);

        // Sub-byte indices: 2-bit palette of 3 entries, last pixel uses index 3.
        var subByte = PngBytes.Simple(PngBytes.Ihdr(4, 1, 2, 3), [0, 0b00_01_10_11], new byte[9]);
        Assert.Contains("pixel (3, 0) has palette index 3", Rejected(subByte, "2-bit index 3 of 3").Message);
    }

    [Fact]
    public void Transparency_errors_are_rejected()
    {
        byte[] gray = PngBytes.Simple(PngBytes.Ihdr(2, 1, 8, 0), [0, 1, 2]);
        Assert.Equal("tRNS", Rejected(Insert(gray, 1, new("tRNS", [0, 1, 2])), "gray key of 3 bytes").ChunkType);
        byte[] rgba = PngBytes.Simple(PngBytes.Ihdr(1, 1, 8, 6), [0, 1, 2, 3, 4]);
        Assert.Contains("alpha channel", Rejected(Insert(rgba, 1, new("tRNS", [0, 0])), "tRNS for RGBA").Message);
        byte[] palette = PngBytes.Simple(PngBytes.Ihdr(2, 1, 8, 3), [0, 0, 1], [1, 2, 3, 4, 5, 6]);
        Assert.Contains("3 alpha values for a palette of 2", Rejected(Insert(palette, 2, new("tRNS", [0, 0, 0])), "too many alphas").Message);
        Assert.Contains("tRNS before PLTE", Rejected(Insert(palette, 1, new("tRNS", [0])), "tRNS first").Message);
    }

    [Fact]
    public void Bad_filter_type_byte_is_rejected()
    {
        var file = PngBytes.Simple(PngBytes.Ihdr(2, 2, 8, 0), [0, 1, 2, 5, 3, 4]);
        var e = Rejected(file, "filter 5");
        Assert.Equal("IDAT", e.ChunkType);
        Assert.Contains("row 1 has filter type 5", e.Message);

        var interlaced = PngBytes.Simple(PngBytes.Ihdr(1, 2, 8, 0, interlace: 1), [0, 7, 9, 1]);
        Assert.Contains("pass 7 (image row 1) has filter type 9", Rejected(interlaced, "filter 9 in pass 7").Message);
    }

    [Fact]
    public void Image_data_of_the_wrong_size_or_corrupt_is_rejected()
    {
        byte[] ihdr = PngBytes.Ihdr(4, 4, 8, 0); // needs 4 × 5 = 20 bytes
        Assert.Contains("ends after 15 of 20", Rejected(PngBytes.Simple(ihdr, new byte[15]), "short").Message);
        Assert.Contains("inflates to more than the 20 bytes", Rejected(PngBytes.Simple(ihdr, new byte[21]), "long").Message);

        var garbage = PngBytes.Join([new("IHDR", ihdr), new("IDAT", [0x12, 0x34, 0x56, 0x78, 0x9A]), new("IEND", [])]);
        Assert.Contains("zlib stream is corrupt", Rejected(garbage, "not zlib").Message);

        var zlib = PngBytes.Zlib(new byte[20]);
        zlib[^1] ^= 0xFF; // Adler-32
        var badChecksum = PngBytes.Join([new("IHDR", ihdr), new("IDAT", zlib), new("IEND", [])]);
        Assert.Equal("IDAT", Rejected(badChecksum, "bad Adler-32").ChunkType);
    }

    [Fact]
    public void Malformed_text_chunks_are_rejected_unless_metadata_is_skipped()
    {
        var cases = new (string Type, byte[] Data, string Expected)[]
        {
            ("tEXt", Encoding.Latin1.GetBytes(new string('k', 80) + "\0text"), "no NUL ends the keyword"),
            ("tEXt", "NoSeparator"u8.ToArray(), "no NUL ends the keyword"),
            ("tEXt", "\0text"u8.ToArray(), "keyword is empty"),
            ("tEXt", " Lead\0text"u8.ToArray(), "leading or trailing space"),
            ("tEXt", "Two  spaces\0text"u8.ToArray(), "two consecutive spaces"),
            ("tEXt", "Key\0te\0xt"u8.ToArray(), "NUL byte"),
            ("zTXt", "Key\0\u0001"u8.ToArray().Concat(PngBytes.Zlib([65])).ToArray(), "compression method 1"),
            ("zTXt", "Key\0\0\u0001\u0002"u8.ToArray(), "not a valid zlib stream"),
            ("iTXt", "Key\0\u0002\0\0\0text"u8.ToArray(), "compression flag is 2"),
            ("iTXt", "Key\0\0\0en"u8.ToArray(), "no NUL ends the language tag"),
            ("iTXt", "Key\0\0\0e n\0\0text"u8.ToArray(), "language tag byte 0x20"),
            ("iTXt", "Key\0\0\0\0\0"u8.ToArray().Concat(new byte[] { 0xC3, 0x28 }).ToArray(), "not valid UTF-8"),
        };
        foreach (var (type, data, expected) in cases)
        {
            var file = Insert(s_valid, 1, new(type, data));
            var e = Rejected(file, expected);
            Assert.Equal(type, e.ChunkType);
            Assert.Contains(expected, e.Message);
            var pixelsOnly = PngDecoder.Decode(file, new PngDecodeOptions { ReadMetadata = false });
            Assert.Empty(pixelsOnly.Metadata.Chunks);
        }
    }

    [Fact]
    public void Metadata_budget_is_enforced()
    {
        var file = Insert(s_valid, 1, new("prVt", new byte[5000]));
        var e = Rejected(file, "budget", new PngDecodeOptions { MaxMetadataBytes = 4000 });
        Assert.Equal("prVt", e.ChunkType);
        Assert.Contains("MaxMetadataBytes", e.Message);
    }

    [Fact]
    public void Random_mutations_never_escape_as_other_exceptions_and_allocation_stays_within_the_limit()
    {
        // Byte flips with the CRC repaired, so that the damage reaches the parsers behind the CRC check. A mutated IHDR
        // can claim a larger image that the data could really hold; the output buffer is then as large as the header
        // says, so allocation is bounded by the configured limit (output and two row buffers), not by the file size.
        var options = new PngDecodeOptions { MaxDecodedBytes = 512 * 1024 };
        long bound = SmallBound + 2 * options.MaxDecodedBytes;
        var random = new Random(11);
        var bases = new[] { s_valid, InterlacedPaletteFile(), PngEncoder.Encode(TestImages.Noise(9, 7, 2, 3)) };
        int rejected = 0;
        for (int iteration = 0; iteration < 3000; iteration++)
        {
            byte[] file = (byte[])bases[iteration % bases.Length].Clone();
            var chunks = PngBytes.Split(file);
            int index = random.Next(chunks.Count);
            var data = chunks[index].Data;
            if (data.Length == 0)
                continue;
            for (int flips = random.Next(1, 4); flips > 0; flips--)
                data[random.Next(data.Length)] = (byte)random.Next(256);
            file = PngBytes.Join(chunks);
            foreach (bool sixteen in new[] { false, true })
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    if (sixteen)
                        PngDecoder.Decode16(file, options);
                    else
                        PngDecoder.Decode(file, options);
                }
                catch (PngFormatException e)
                {
                    Assert.Contains(e.ChunkType, e.Message);
                    rejected++;
                }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated < bound, $"mutation {iteration} of chunk {chunks[index].Type}: {allocated} bytes allocated; bound {bound}.");
            }
        }
        Assert.InRange(rejected, 1000, 6000); // most mutations are caught; the rest decode to other pixels
    }

    [Fact]
    public void Bytes_after_iend_are_ignored()
    {
        var file = s_valid.Concat("trailing garbage"u8.ToArray()).ToArray();
        Assert.True(PngDecoder.Decode(file).Image.PixelsEqual(PngDecoder.Decode(s_valid).Image));
    }

    private static PngFormatException Rejected(byte[] file, string what, PngDecodeOptions? options = null)
    {
        PngFormatException? caught = null;
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            PngDecoder.Decode(file, options);
        }
        catch (PngFormatException e)
        {
            caught = e;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(caught is not null, $"{what}: decoded without error.");
        Assert.True(allocated < SmallBound, $"{what}: {allocated} bytes allocated while rejecting; bound {SmallBound}.");
        Assert.Contains(caught.ChunkType, caught.Message);
        Assert.Contains($"offset {caught.Offset}", caught.Message);
        return caught;
    }

    private static byte[] ValidFile()
    {
        var metadata = new PngMetadata();
        metadata.Add(PngTextChunk.Latin1("parameters", "seed 1"));
        return PngEncoder.Encode(TestImages.Noise(33, 17, 4, 5), new PngEncodeOptions { IdatChunkBytes = 700 }, metadata);
    }

    private static byte[] InterlacedPaletteFile()
    {
        // 5x5, 4-bit palette of 16 entries, Adam7; scanlines built per pass.
        var scanlines = new List<byte>();
        foreach (var pass in PngPass.For(5, 5, interlaced: true))
        {
            if (pass.Width == 0 || pass.Height == 0)
                continue;
            for (int j = 0; j < pass.Height; j++)
            {
                scanlines.Add(0);
                for (int x = 0; x < (pass.Width + 1) / 2; x++)
                    scanlines.Add((byte)(x * 0x37 + j));
            }
        }
        var palette = Enumerable.Range(0, 48).Select(i => (byte)(i * 5)).ToArray();
        return PngBytes.Simple(PngBytes.Ihdr(5, 5, 4, 3, interlace: 1), scanlines.ToArray(), palette);
    }

    private static byte[] Insert(byte[] png, int index, PngBytes.Chunk chunk) => PngBytes.Join(Inserted(PngBytes.Split(png), index, chunk));

    private static List<PngBytes.Chunk> Inserted(List<PngBytes.Chunk> chunks, int index, PngBytes.Chunk chunk)
    {
        var result = chunks.ToList();
        result.Insert(index, chunk);
        return result;
    }

    private static List<PngBytes.Chunk> SplitIdat(List<PngBytes.Chunk> chunks, int pieces)
    {
        var data = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        int step = (data.Length + pieces - 1) / pieces;
        var result = chunks.Where(c => c.Type != "IDAT" && c.Type != "IEND").ToList();
        for (int i = 0; i < data.Length; i += step)
            result.Add(new("IDAT", data.AsSpan(i, Math.Min(step, data.Length - i)).ToArray()));
        result.Add(new("IEND", []));
        return result;
    }
}
