using System.Buffers.Binary;
using System.Text;
using Atelier.Formats.Safetensors;

namespace Atelier.Formats.Tests.Safetensors;

public sealed class SafetensorsWriterTests
{
    [Fact]
    public void Header_is_compact_json_padded_with_spaces_to_8_bytes()
    {
        using var temp = new TempDirectory();
        string path = temp.File("one.safetensors");
        byte[] data = new byte[24];
        SafetensorsWriter.Write(path, [(new SafetensorsTensorSpec("attn.0", SafetensorsDType.F32, [1L, 2, 3]), data)]);

        byte[] file = File.ReadAllBytes(path);
        const string json = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"; // 64 bytes: no padding needed
        Assert.Equal(64UL, BinaryPrimitives.ReadUInt64LittleEndian(file));
        Assert.Equal(json, Encoding.UTF8.GetString(file, 8, 64));
        Assert.Equal(8 + 64 + 24, file.Length);

        SafetensorsWriter.Write(path, [(new SafetensorsTensorSpec("attn0", SafetensorsDType.F32, [1L, 1, 2, 3]), data)]);
        file = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        string header = Encoding.UTF8.GetString(file, 8, (int)n);
        Assert.Equal(0UL, n % 8);
        Assert.Equal("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ", header); // 65 + 7 spaces
    }

    [Fact]
    public void Reference_order_is_dtype_descending_then_name()
    {
        using var temp = new TempDirectory();
        string path = temp.File("order.safetensors");
        var specs = new[]
        {
            new SafetensorsTensorSpec("b", SafetensorsDType.F16, [2L]),
            new SafetensorsTensorSpec("a", SafetensorsDType.F16, [2L]),
            new SafetensorsTensorSpec("z", SafetensorsDType.U8, [1L]),
            new SafetensorsTensorSpec("m", SafetensorsDType.I64, [1L]),
            new SafetensorsTensorSpec("c", SafetensorsDType.F32, [1L]),
            new SafetensorsTensorSpec("B", SafetensorsDType.F32, [1L]),
        };
        using (var writer = SafetensorsWriter.Create(path, specs))
        {
            Assert.Equal(["m", "B", "c", "a", "b", "z"], writer.Order.Select(s => s.Name));
            foreach (var spec in writer.Order)
                writer.Write(spec.Name, new byte[spec.ByteLength]);
            writer.Complete();
        }
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(["m", "B", "c", "a", "b", "z"], file.Tensors.Select(t => t.Name));
        Assert.Equal([0L, 8, 12, 16, 20, 24], file.Tensors.Select(t => t.Begin));
    }

    [Fact]
    public void Tensors_stream_in_chunks_and_read_back()
    {
        using var temp = new TempDirectory();
        string path = temp.File("chunks.safetensors");
        var big = new SafetensorsTensorSpec("big", SafetensorsDType.F32, [1000L, 37]);
        var empty = new SafetensorsTensorSpec("empty", SafetensorsDType.F32, [0L, 5]);
        var small = new SafetensorsTensorSpec("small", SafetensorsDType.BF16, [3L]);
        byte[] payload = new byte[big.ByteLength];
        new Random(7).NextBytes(payload);
        using (var writer = SafetensorsWriter.Create(path, [small, empty, big], [new("format", "pt"), new("note", "tab\there \"quoted\" é")]))
        {
            Assert.Equal(["big", "empty", "small"], writer.Order.Select(s => s.Name));
            for (int at = 0; at < payload.Length; at += 4096)
                writer.Write("big", payload.AsSpan(at, Math.Min(4096, payload.Length - at)));
            writer.Write("empty", []);
            writer.Write("small", [1, 2, 3, 4, 5, 6]);
            writer.Complete();
        }
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(payload, file.GetSpan("big").ToArray());
        Assert.Equal(0, file.GetSpan("empty").Length);
        Assert.Equal([0L, 5], file.GetInfo("empty").ShapeArray());
        Assert.Equal("tab\there \"quoted\" é", file.GetMetadata("note"));
        Assert.Equal(["format", "note"], file.Metadata!.Select(p => p.Key));
    }

    [Fact]
    public void Writing_out_of_order_too_much_or_too_little_is_refused_and_leaves_no_file()
    {
        using var temp = new TempDirectory();
        string path = temp.File("bad.safetensors");
        var a = new SafetensorsTensorSpec("a", SafetensorsDType.F32, [2L]);
        var b = new SafetensorsTensorSpec("b", SafetensorsDType.F32, [2L]);
        using (var writer = SafetensorsWriter.Create(path, [a, b]))
        {
            var wrongOrder = Assert.Throws<InvalidOperationException>(() => writer.Write("b", new byte[8]));
            Assert.Contains("expected the bytes of 'a'", wrongOrder.Message);
            var overflow = Assert.Throws<ArgumentException>(() => writer.Write("a", new byte[9]));
            Assert.Contains("would overflow", overflow.Message);
            writer.Write("a", new byte[8]);
            writer.Write("b", new byte[4]);
            var incomplete = Assert.Throws<InvalidOperationException>(() => writer.Complete());
            Assert.Contains("'b' has 4 of 8 bytes", incomplete.Message);
        }
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Specs_reject_duplicates_reserved_names_and_negative_dimensions()
    {
        using var temp = new TempDirectory();
        var a = new SafetensorsTensorSpec("a", SafetensorsDType.F32, [2L]);
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Create(temp.File("x.safetensors"), [a, a]));
        Assert.Throws<ArgumentException>(() => new SafetensorsTensorSpec("__metadata__", SafetensorsDType.F32, [1L]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SafetensorsTensorSpec("n", SafetensorsDType.F32, [-1L]));
        Assert.Throws<ArgumentException>(() => new SafetensorsTensorSpec("odd", SafetensorsDType.F4, [3L]));
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Names_are_escaped_like_serde_json_and_survive_the_round_trip()
    {
        using var temp = new TempDirectory();
        string path = temp.File("names.safetensors");
        string odd = "q\"uote\\back/slash\u0001\u001f\n\u007fé😀";
        SafetensorsWriter.Write(path, [(new SafetensorsTensorSpec(odd, SafetensorsDType.U8, [1L]), new byte[] { 42 })]);
        byte[] file = File.ReadAllBytes(path);
        string header = Encoding.UTF8.GetString(file, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        Assert.StartsWith("{\"q\\\"uote\\\\back/slash\\u0001\\u001f\\n\u007fé😀\":", header);
        using var read = SafetensorsFile.Open(path);
        Assert.Equal(42, read.GetSpan(odd)[0]);
    }
}
