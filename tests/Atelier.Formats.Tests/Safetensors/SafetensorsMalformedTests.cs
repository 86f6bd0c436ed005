using System.Buffers.Binary;
using System.Text;
using Atelier.Formats.Safetensors;

namespace Atelier.Formats.Tests.Safetensors;

/// <summary>
/// A corpus of malformed files derived from one valid file: each must fail with <see cref="SafetensorsFormatException"/>
/// whose message names the file and says what is wrong, never with an index or allocation failure.
/// </summary>
public sealed class SafetensorsMalformedTests
{
    private const string Ids = "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}";
    private const string Weight = "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[16,40]}";
    private const string Mask = "\"mask\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[40,44]}";

    private static byte[] WithHeader(string header, int dataLength = 44) => RawSafetensors.Build(header, new byte[dataLength]);

    private static string Entries(params string[] entries) => "{" + string.Join(",", entries) + "}";

    public static TheoryData<string, byte[], string[]> Corpus()
    {
        byte[] valid = RawSafetensors.Valid();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
        var data = new TheoryData<string, byte[], string[]>
        {
            { "empty file", [], ["0 bytes", "header length"] },
            { "truncated in the length field", valid[..5], ["5 bytes", "header length"] },
            { "truncated in the header", valid[..40], ["truncated", "header length"] },
            { "truncated at the data start", valid[..headerEnd], ["'ids'", "extends beyond the data section", "0 bytes"] },
            { "truncated in the data", valid[..^3], ["mask", "extends beyond the data section", "41 bytes"] },
            { "header length 2^40", Lie(valid, 1UL << 40), ["100,000,000", "header length"] },
            { "header length u64 max", Lie(valid, ulong.MaxValue), ["100,000,000", "header length"] },
            { "header length 100 MB, file small", Lie(valid, 100_000_000), ["claims 100000000 bytes", "truncated"] },
            { "header length too short", Lie(valid, 24), ["not valid JSON"] },
            { "header not an object", WithHeader("[1, 2]"), ["must be an object", "an array"] },
            { "header blank", WithHeader("        "), ["empty"] },
            { "header unterminated", WithHeader("{\"ids\":{\"dtype\":\"I64\""), ["not valid JSON"] },
            { "trailing comma", WithHeader(Entries(Ids, Weight, Mask)[..^1] + ",}"), ["not valid JSON"] },
            { "garbage after the object", WithHeader(Entries(Ids, Weight, Mask) + " x"), ["header"] },
            { "not UTF-8", NotUtf8(), ["UTF-8"] },
            { "lone surrogate escape", WithHeader("{\"bad\\ud800\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0), ["cannot be decoded"] },
            { "deeply nested", WithHeader("{\"a\":" + new string('[', 100_000) + new string(']', 100_000) + "}"), ["'a'", "must be an object"] },
            { "entry not an object", WithHeader(Entries(Ids, "\"weight\":5", Mask)), ["'weight'", "must be an object"] },
            { "unknown dtype", WithHeader(Entries(Ids, Weight.Replace("F32", "F128"), Mask)), ["'weight'", "unknown dtype", "F128"] },
            { "lowercase dtype", WithHeader(Entries(Ids, Weight.Replace("F32", "f32"), Mask)), ["'weight'", "unknown dtype", "f32"] },
            { "dtype a number", WithHeader(Entries(Ids, Weight.Replace("\"F32\"", "32"), Mask)), ["'weight'", "dtype", "a number"] },
            { "missing shape", WithHeader(Entries(Ids, "\"weight\":{\"dtype\":\"F32\",\"data_offsets\":[16,40]}", Mask)), ["'weight'", "shape", "missing"] },
            { "missing data_offsets", WithHeader(Entries(Ids, "\"weight\":{\"dtype\":\"F32\",\"shape\":[2,3]}", Mask)), ["'weight'", "data_offsets", "missing"] },
            { "extra field", WithHeader(Entries(Ids, Weight.Replace("\"shape\"", "\"stride\":[3,1],\"shape\""), Mask)), ["'weight'", "stride", "unexpected field"] },
            { "field twice", WithHeader(Entries(Ids, Weight.Replace("\"shape\"", "\"dtype\":\"F32\",\"shape\""), Mask)), ["'weight'", "dtype", "twice"] },
            { "shape not an array", WithHeader(Entries(Ids, Weight.Replace("[2,3]", "6"), Mask)), ["'weight'", "shape", "array"] },
            { "negative dimension", WithHeader(Entries(Ids, Weight.Replace("[2,3]", "[-2,3]"), Mask)), ["'weight'", "shape", "non-negative integer", "-2"] },
            { "fractional dimension", WithHeader(Entries(Ids, Weight.Replace("[2,3]", "[2.5,3]"), Mask)), ["'weight'", "shape", "non-negative integer", "2.5"] },
            { "shape x size != bytes", WithHeader(Entries(Ids, Weight.Replace("[2,3]", "[2,2]"), Mask)), ["'weight'", "24 bytes", "needs 16 bytes"] },
            { "shape overflows", WithHeader(Entries(Ids, Weight.Replace("[2,3]", "[1099511627776,1099511627776]"), Mask)), ["'weight'", "64 bits"] },
            { "sub-byte dtype misaligned", WithHeader(Entries(Ids, Weight, "\"mask\":{\"dtype\":\"F4\",\"shape\":[7],\"data_offsets\":[40,44]}")), ["'mask'", "whole bytes"] },
            { "offsets one number", WithHeader(Entries(Ids, Weight.Replace("[16,40]", "[16]"), Mask)), ["'weight'", "data_offsets", "two non-negative integers"] },
            { "offsets three numbers", WithHeader(Entries(Ids, Weight.Replace("[16,40]", "[16,40,44]"), Mask)), ["'weight'", "data_offsets", "two non-negative integers"] },
            { "offsets reversed (unsorted pair)", WithHeader(Entries(Ids, Weight.Replace("[16,40]", "[40,16]"), Mask)), ["'weight'", "reversed"] },
            { "offsets overlapping", WithHeader(Entries(Ids, Weight.Replace("[16,40]", "[8,32]"), Mask.Replace("[40,44]", "[32,36]")), 36), ["'weight'", "overlaps 'ids'"] },
            { "offsets with a gap", WithHeader(Entries(Ids, Weight.Replace("[16,40]", "[20,44]"), Mask.Replace("[40,44]", "[44,48]")), 48), ["'weight'", "gap of 4 bytes", "'ids'"] },
            { "offsets not starting at 0", WithHeader(Entries(Ids.Replace("[0,16]", "[4,20]"), Weight.Replace("[16,40]", "[20,44]"), Mask.Replace("[40,44]", "[44,48]")), 48), ["'ids'", "gap of 4 bytes", "start of the data section"] },
            { "offsets out of bounds", WithHeader(Entries(Ids, Weight, Mask.Replace("[40,44]", "[40,48]").Replace("[4]", "[8]"))), ["'mask'", "extends beyond the data section", "44 bytes"] },
            { "bytes after the last tensor", WithHeader(Entries(Ids, Weight, Mask), 48), ["trailing bytes", "MetadataIncompleteBuffer"] },
            { "metadata value a number", WithHeader("{\"__metadata__\":{\"format\":1}," + Entries(Ids, Weight, Mask)[1..]), ["__metadata__", "'format'", "must be a string", "a number"] },
            { "metadata value an object", WithHeader("{\"__metadata__\":{\"format\":{\"a\":\"b\"}}," + Entries(Ids, Weight, Mask)[1..]), ["__metadata__", "must be a string", "an object"] },
            { "metadata a string", WithHeader("{\"__metadata__\":\"pt\"," + Entries(Ids, Weight, Mask)[1..]), ["__metadata__", "mapping strings to strings", "a string"] },
            { "metadata key twice", WithHeader("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}," + Entries(Ids, Weight, Mask)[1..]), ["__metadata__", "'a'", "twice"] },
            { "metadata twice", WithHeader("{\"__metadata__\":{},\"__metadata__\":{}," + Entries(Ids, Weight, Mask)[1..]), ["__metadata__", "twice"] },
            { "duplicate tensor name", WithHeader(Entries(Ids, Weight, Weight.Replace("[16,40]", "[40,64]")), 64), ["'weight'", "appears twice"] },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Malformed_file_is_refused_with_a_precise_message(string name, byte[] bytes, string[] expectedWords)
    {
        using var temp = new TempDirectory();
        string path = temp.File("case.safetensors");
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());

        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.Path);
        foreach (string word in expectedWords)
            Assert.True(error.Message.Contains(word, StringComparison.Ordinal), $"case '{name}': message lacks \"{word}\":\n{error.Message}");
    }

    [Fact]
    public void The_valid_source_of_the_corpus_opens()
    {
        using var temp = new TempDirectory();
        string path = temp.File("valid.safetensors");
        File.WriteAllBytes(path, RawSafetensors.Valid());
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(["ids", "weight", "mask"], file.Tensors.Select(t => t.Name));
        Assert.Equal([new KeyValuePair<string, string>("format", "pt")], file.Metadata!);
        Assert.Equal(RawSafetensors.ValidData()[16..40], file.GetSpan("weight").ToArray());
    }

    [Fact]
    public void Header_order_may_differ_from_offset_order_as_in_the_reference_reader()
    {
        // The reference sorts entries by data_offsets before validating, so a header listing them in another order is valid.
        using var temp = new TempDirectory();
        string path = temp.File("shuffled.safetensors");
        File.WriteAllBytes(path, RawSafetensors.Build(Entries(Mask, Ids, Weight), RawSafetensors.ValidData()));
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(["mask", "ids", "weight"], file.Tensors.Select(t => t.Name));
        Assert.Equal(RawSafetensors.ValidData()[40..44], file.GetSpan("mask").ToArray());
    }

    [Fact]
    public void A_lying_100MB_header_length_allocates_almost_nothing()
    {
        using var temp = new TempDirectory();
        string path = temp.File("lying.safetensors");
        File.WriteAllBytes(path, Lie(RawSafetensors.Valid(), 100_000_000));
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose()); // warm up code paths

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 2_000_000, $"refusing a lying header allocated {allocated} bytes.");
    }

    [Fact]
    public void A_100MB_header_of_zeros_inside_a_sparse_file_is_refused_without_copying_it()
    {
        // The claimed length fits the file, so the header is really there: it is parsed from the mapping, not copied.
        using var temp = new TempDirectory();
        string path = temp.File("zeros.safetensors");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, 99_999_992);
            stream.Write(length);
            stream.SetLength(8 + 99_999_992 + 64);
        }
        Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("not valid JSON", error.Message);
        Assert.True(allocated < 2_000_000, $"refusing a 100 MB header allocated {allocated} bytes.");
    }

    private static byte[] Lie(byte[] valid, ulong length)
    {
        byte[] copy = (byte[])valid.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, length);
        return copy;
    }

    private static byte[] NotUtf8()
    {
        byte[] bytes = RawSafetensors.Valid();
        int at = Encoding.UTF8.GetString(bytes, 8, 40).IndexOf("format", StringComparison.Ordinal) + 8;
        bytes[at] = 0xC3; // a lead byte followed by 'o', not a continuation byte
        return bytes;
    }
}
