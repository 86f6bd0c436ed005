using System.Buffers.Binary;
using System.Text.Json;
using Atelier.Formats.Images;

namespace Atelier.Formats.Tests.Images;

/// <summary>
/// Decodes the corpus that tools/png-corpus.py writes with PIL and its own minimal writer (every colour type × bit depth
/// × interlace, palettes and tRNS, 16-bit, odd sizes, text chunks) and compares every file with the script's expected
/// pixels and metadata. All differences are collected so one run names every failing file.
/// </summary>
public sealed class PngCorpusTests(PngCorpusTests.Corpus corpus) : IClassFixture<PngCorpusTests.Corpus>
{
    private readonly string _directory = corpus.Directory;

    /// <summary>The corpus, written once for the class into a temporary folder that is deleted afterwards.</summary>
    public sealed class Corpus : IDisposable
    {
        private readonly Lazy<(int ExitCode, string Output)> _run;

        public Corpus()
        {
            _run = new(() => PngCorpusScript.Run(Directory));
        }

        public string Directory { get; } = Path.Combine(Path.GetTempPath(), "atelier-png-corpus-" + Guid.NewGuid().ToString("N"));

        public (int ExitCode, string Output) Write() => _run.Value;

        public void Dispose()
        {
            if (System.IO.Directory.Exists(Directory))
                System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    [SkippableFact]
    public void Every_corpus_file_decodes_to_the_expected_pixels_and_metadata()
    {
        var manifest = WriteCorpus();
        var failures = new List<string>();
        var combinations = new HashSet<(int, int, bool)>();
        int files = 0;
        foreach (var entry in manifest.GetProperty("files").EnumerateArray())
        {
            files++;
            string name = entry.GetProperty("file").GetString()!;
            string stem = Path.Combine(_directory, Path.GetFileNameWithoutExtension(name));
            byte[] png = File.ReadAllBytes(Path.Combine(_directory, name));
            try
            {
                var decoded = PngDecoder.Decode(png);
                var header = decoded.Header;
                var want = new PngHeader(entry.GetProperty("width").GetInt32(), entry.GetProperty("height").GetInt32(),
                    entry.GetProperty("bitDepth").GetInt32(), (PngColorType)entry.GetProperty("colorType").GetInt32(),
                    entry.GetProperty("interlaced").GetBoolean());
                if (header != want)
                    failures.Add($"{name}: header {header}, expected {want}");
                combinations.Add(((int)header.ColorType, header.BitDepth, header.Interlaced));
                Compare(name, "RGBA8", File.ReadAllBytes(stem + ".rgba"), decoded.Image.Pixels, header.Width, 4, failures);

                var decoded16 = PngDecoder.Decode16(png);
                byte[] samples16 = new byte[decoded16.Image.Samples.Length * 2];
                for (int i = 0; i < decoded16.Image.Samples.Length; i++)
                    BinaryPrimitives.WriteUInt16BigEndian(samples16.AsSpan(2 * i), decoded16.Image.Samples[i]);
                Compare(name, "RGBA16", File.ReadAllBytes(stem + ".rgba16"), samples16, header.Width, 8, failures);

                if (entry.GetProperty("metadata").GetBoolean())
                    CompareMetadata(name, File.ReadAllText(stem + ".json"), decoded.Metadata, failures);
            }
            catch (PngFormatException e)
            {
                failures.Add($"{name}: rejected: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {files} corpus files differ:\n" + string.Join('\n', failures));
        // Every legal colour type × depth × interlace combination was exercised (15 × 2).
        Assert.Equal(30, combinations.Count);
    }

    [SkippableFact]
    public void Metadata_survives_decode_and_re_encode()
    {
        WriteCorpus();
        foreach (string name in new[] { "pil-text.png", "own-metadata.png" })
        {
            var first = PngDecoder.Decode(File.ReadAllBytes(Path.Combine(_directory, name)));
            byte[] again = PngEncoder.Encode(first.Image, PngEncodeOptions.Fast, first.Metadata);
            var second = PngDecoder.Decode(again);
            Assert.Equal(first.Metadata.Chunks, second.Metadata.Chunks);
            Assert.True(first.Image.PixelsEqual(second.Image), name);
        }
    }

    private JsonElement WriteCorpus()
    {
        PngCorpusScript.SkipUnlessAvailable();
        var (exitCode, output) = corpus.Write();
        Assert.True(exitCode == 0, $"png-corpus.py failed ({exitCode}):\n{output}");
        return JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_directory, "manifest.json"))).RootElement;
    }

    private static void Compare(string name, string what, byte[] expected, byte[] actual, int width, int bytesPerPixel, List<string> failures)
    {
        int first = expected.AsSpan().CommonPrefixLength(actual);
        if (first == expected.Length && actual.Length == expected.Length)
            return;
        int pixel = first / bytesPerPixel;
        failures.Add($"{name}: {what} differs at pixel ({pixel % width}, {pixel / width}) channel {first % bytesPerPixel / (bytesPerPixel / 4)} "
            + $"(expected {(first < expected.Length ? expected[first] : -1)}, decoded {(first < actual.Length ? actual[first] : -1)}; lengths {expected.Length}/{actual.Length})");
    }

    private static void CompareMetadata(string name, string json, PngMetadata metadata, List<string> failures)
    {
        var expected = JsonDocument.Parse(json).RootElement.GetProperty("chunks").EnumerateArray().Select(ToChunk).ToList();
        if (expected.Count != metadata.Chunks.Count)
        {
            failures.Add($"{name}: {metadata.Chunks.Count} metadata chunks ({string.Join(", ", metadata.Chunks.Select(c => c.ChunkType))}), expected {expected.Count} ({string.Join(", ", expected.Select(c => c.ChunkType))})");
            return;
        }
        for (int i = 0; i < expected.Count; i++)
        {
            if (!expected[i].Equals(metadata.Chunks[i]))
                failures.Add($"{name}: metadata chunk {i} is {metadata.Chunks[i]}, expected {expected[i]}");
        }
    }

    private static PngMetadataChunk ToChunk(JsonElement e)
    {
        var position = e.GetProperty("position").GetString() == "before" ? PngChunkPosition.BeforeImageData : PngChunkPosition.AfterImageData;
        string type = e.GetProperty("type").GetString()!;
        if (!e.TryGetProperty("keyword", out var keyword))
            return new PngRawChunk(type, Convert.FromHexString(e.GetProperty("hex").GetString()!), position);
        string text = e.GetProperty("text").GetString()!;
        bool compressed = e.GetProperty("compressed").GetBoolean();
        return type == "iTXt"
            ? PngTextChunk.International(keyword.GetString()!, text, compressed, e.GetProperty("language").GetString()!, e.GetProperty("translated").GetString()!, position)
            : PngTextChunk.Latin1(keyword.GetString()!, text, compressed, position);
    }
}
