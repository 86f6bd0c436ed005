using System.Diagnostics;
using System.IO.Compression;
using Atelier.Formats.Images;

namespace Atelier.Bench.Suites;

/// <summary>
/// PNG codec on a 1024x1024 RGBA image with realistic content (gradients, noise, shapes; seeded): decode, encode fast
/// and small, and the pieces that decide the speed: zlib alone, filter reconstruction (fast path vs scalar reference)
/// and the chunk CRC. MB/s counts decoded RGBA bytes (4 MiB) for codec rows and processed bytes for kernel rows.
/// </summary>
internal sealed class PngSuite : IBenchSuite
{
    private const int Size = 1024;

    public string Name => "png";

    public string Description => "PNG decode/encode of a 1024x1024 RGBA image, filters and CRC (MB/s)";

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        int repeats = options.Quick ? 3 : 10;
        var image = SyntheticImage(Size, Size, seed: 1);
        long rgbaBytes = image.Pixels.Length;
        string shape = $"{Size}x{Size} RGBA8";

        byte[] fast = PngEncoder.Encode(image, PngEncodeOptions.Fast);
        byte[] small = PngEncoder.Encode(image, PngEncodeOptions.Small);
        if (!PngDecoder.Decode(fast).Image.PixelsEqual(image) || !PngDecoder.Decode(small).Image.PixelsEqual(image))
            throw new InvalidOperationException("png bench: round trip is not lossless.");

        yield return Row("decode (fast file)", shape, rgbaBytes, Best(repeats, () => PngDecoder.Decode(fast)), $"file {fast.Length / 1024} KiB");
        yield return Row("decode (small file)", shape, rgbaBytes, Best(repeats, () => PngDecoder.Decode(small)), $"file {small.Length / 1024} KiB");
        yield return Row("read info (chunks + CRC)", shape, rgbaBytes, Best(repeats, () => PngDecoder.ReadInfo(fast)), "layout pass of decode, no inflate");
        yield return Row("decode16 (fast file)", shape, rgbaBytes, Best(repeats, () => PngDecoder.Decode16(fast)), "16-bit RGBA output");
        yield return Row("encode fast", shape, rgbaBytes, Best(repeats, () => PngEncoder.Encode(image, PngEncodeOptions.Fast)), $"{fast.Length / 1024} KiB, Sub/Up + Fastest");
        yield return Row("encode small", shape, rgbaBytes, Best(Math.Max(1, repeats / 3), () => PngEncoder.Encode(image, PngEncodeOptions.Small)), $"{small.Length / 1024} KiB, adaptive + SmallestSize");

        // What zlib alone costs: inflate the same IDAT stream, deflate the same filtered bytes.
        byte[] zlib = IdatStream(fast);
        var sink = new byte[rgbaBytes + Size];
        yield return Row("zlib inflate only", shape, rgbaBytes, Best(repeats, () =>
        {
            using var z = new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress);
            z.ReadAtLeast(sink, sink.Length, throwOnEndOfStream: false);
        }), "BCL ZLibStream, for reference");

        // Filter reconstruction over the image bytes taken as filtered rows (4 KiB rows; bpp 4 RGBA8, 3 RGB8, 1 gray8): fast path vs the scalar definition.
        var rows = image.Pixels;
        var scratch = new byte[rows.Length];
        foreach (int bpp in new[] { 4, 3, 1 })
        {
            foreach (var type in new[] { PngFilterType.Sub, PngFilterType.Up, PngFilterType.Average, PngFilterType.Paeth })
            {
                double fastTime = Best(repeats, () => Unfilter(type, bpp, rows, scratch, reference: false));
                double referenceTime = Best(repeats, () => Unfilter(type, bpp, rows, scratch, reference: true));
                yield return Row($"unfilter {type}", $"1024 rows x 4096 B, bpp {bpp}", rgbaBytes, fastTime, $"{referenceTime / fastTime:F1}x the scalar reference ({rgbaBytes / referenceTime / 1e6:F0} MB/s)");
            }
        }

        // Forward filtering for the encoder (every byte independent, whole-row vectors) and the adaptive heuristic's sum.
        var filtered = new byte[rows.Length];
        foreach (var type in new[] { PngFilterType.Sub, PngFilterType.Up, PngFilterType.Average, PngFilterType.Paeth })
        {
            double fastTime = Best(repeats, () => Filter(type, rows, filtered, reference: false));
            double referenceTime = Best(repeats, () => Filter(type, rows, filtered, reference: true));
            yield return Row($"filter {type}", "1024 rows x 4096 B, bpp 4", rgbaBytes, fastTime, $"{referenceTime / fastTime:F1}x the scalar reference ({rgbaBytes / referenceTime / 1e6:F0} MB/s)");
        }
        double sadTime = Best(repeats, () => PngRowFilter.SumOfAbsolutes(rows));
        double sadReference = Best(repeats, () => PngRowFilter.SumOfAbsolutesReference(rows));
        yield return Row("sum of |signed bytes|", "4 MiB", rgbaBytes, sadTime, $"{sadReference / sadTime:F1}x the scalar reference");

        double crcTime = Best(repeats, () => PngCrc32.Compute(rows));
        double crcReference = Best(repeats, () => PngCrc32.UpdateReference(PngCrc32.Initial, rows));
        yield return Row("crc32 (slicing-by-8)", "4 MiB", rgbaBytes, crcTime, $"{crcReference / crcTime:F1}x the bytewise reference");
    }

    /// <summary>
    /// A deterministic stand-in for a generated image: diagonal colour gradients, soft noise, a few filled circles and
    /// rectangles with hard edges, and an alpha channel that is opaque except for a soft vignette.
    /// </summary>
    internal static Image SyntheticImage(int width, int height, int seed)
    {
        var random = new Random(seed);
        var image = new Image(width, height, 4);
        var shapes = Enumerable.Range(0, 12).Select(_ => (X: random.Next(width), Y: random.Next(height), R: random.Next(20, width / 6),
            Color: new[] { (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256) }, Circle: random.Next(2) == 0)).ToArray();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = 4 * (y * width + x);
                double u = (double)x / width, v = (double)y / height;
                double r = 255 * (0.5 + 0.5 * Math.Sin(3 * u + 1)), g = 255 * v * (1 - 0.3 * u), b = 255 * (1 - u) * (0.6 + 0.4 * v);
                foreach (var s in shapes)
                {
                    int dx = x - s.X, dy = y - s.Y;
                    bool inside = s.Circle ? dx * dx + dy * dy < s.R * s.R : Math.Abs(dx) < s.R && Math.Abs(dy) < s.R / 2;
                    if (inside)
                        (r, g, b) = (s.Color[0], s.Color[1], s.Color[2]);
                }
                double noise = random.NextDouble() * 6 - 3;
                image.Pixels[i] = Clamp(r + noise);
                image.Pixels[i + 1] = Clamp(g + noise);
                image.Pixels[i + 2] = Clamp(b + noise);
                double edge = Math.Min(Math.Min(u, 1 - u), Math.Min(v, 1 - v));
                image.Pixels[i + 3] = Clamp(255 * Math.Min(1, edge * 20));
            }
        }
        return image;
    }

    private static byte Clamp(double value) => (byte)Math.Clamp(Math.Round(value), 0, 255);

    private static void Unfilter(PngFilterType type, int bpp, byte[] rows, byte[] scratch, bool reference)
    {
        rows.CopyTo(scratch, 0);
        const int Stride = Size * 4;
        var zeros = new byte[Stride];
        for (int y = 0; y < Size; y++)
        {
            var row = scratch.AsSpan(y * Stride, Stride);
            ReadOnlySpan<byte> prior = y == 0 ? zeros : scratch.AsSpan((y - 1) * Stride, Stride);
            if (reference)
                PngUnfilter.Reference(type, row, prior, bpp);
            else
                PngUnfilter.Apply(type, row, prior, bpp);
        }
    }

    private static void Filter(PngFilterType type, byte[] rows, byte[] output, bool reference)
    {
        const int Stride = Size * 4;
        var zeros = new byte[Stride];
        for (int y = 0; y < Size; y++)
        {
            ReadOnlySpan<byte> row = rows.AsSpan(y * Stride, Stride);
            ReadOnlySpan<byte> prior = y == 0 ? zeros : rows.AsSpan((y - 1) * Stride, Stride);
            if (reference)
                PngRowFilter.Reference(type, row, prior, 4, output.AsSpan(y * Stride, Stride));
            else
                PngRowFilter.Apply(type, row, prior, 4, output.AsSpan(y * Stride, Stride));
        }
    }

    /// <summary>The concatenated IDAT data of a file written by our encoder (chunks are walked by their lengths).</summary>
    private static byte[] IdatStream(byte[] png)
    {
        var data = new MemoryStream();
        for (int position = 8; position < png.Length;)
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(position));
            if (png.AsSpan(position + 4, 4).SequenceEqual("IDAT"u8))
                data.Write(png, position + 8, length);
            position += 12 + length;
        }
        return data.ToArray();
    }

    private static double Best(int repeats, Action action)
    {
        action(); // warm-up
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            // Earlier rows' garbage (4 MB images on the large-object heap) must not be collected inside this row's timing.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var watch = Stopwatch.StartNew();
            action();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static BenchRow Row(string kernel, string shape, long bytes, double seconds, string note)
        => new(kernel, shape, 0, seconds, $"{bytes / seconds / 1e6,7:F0} MB/s  {note}");
}
