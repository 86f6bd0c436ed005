using System.Buffers.Binary;
using System.Text.Json;

namespace Atelier.Tensors.Tests;

/// <summary>
/// TEST-ONLY minimal safetensors reader for the generator fixtures: 8-byte little-endian header length, JSON header,
/// F32 tensors only. The product reader lives in Atelier.Formats; do not use this one outside tests.
/// </summary>
internal sealed class TestSafetensors
{
    private readonly byte[] _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, (string DType, int[] Shape, long Begin, long End)> _entries = [];

    private TestSafetensors(string path)
    {
        _bytes = File.ReadAllBytes(path);
        if (_bytes.Length < 8)
            throw new InvalidDataException($"{path}: {_bytes.Length} bytes, too short for a safetensors header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(_bytes);
        if (headerLength > (ulong)(_bytes.Length - 8))
            throw new InvalidDataException($"{path}: header length {headerLength} exceeds the file ({_bytes.Length} bytes).");
        _dataStart = 8 + (long)headerLength;
        using var header = JsonDocument.Parse(_bytes.AsMemory(8, (int)headerLength));
        foreach (var property in header.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__")
                continue;
            var info = property.Value;
            int[] shape = info.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var offsets = info.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
            _entries[property.Name] = (info.GetProperty("dtype").GetString()!, shape, offsets[0], offsets[1]);
        }
        Path = path;
    }

    public string Path { get; }

    public IEnumerable<string> Names => _entries.Keys;

    public static TestSafetensors Open(string path) => new(path);

    public bool Contains(string name) => _entries.ContainsKey(name);

    public int[] Shape(string name) => Entry(name).Shape;

    public float[] ReadF32(string name)
    {
        var (dtype, shape, begin, end) = Entry(name);
        if (dtype != "F32")
            throw new InvalidDataException($"{Path}: tensor '{name}' is {dtype}; this test reader handles F32 only.");
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (end - begin != count * 4 || _dataStart + end > _bytes.Length)
            throw new InvalidDataException($"{Path}: tensor '{name}' [{string.Join(", ", shape)}] has offsets {begin}..{end}, inconsistent with its shape or the file size.");
        var values = new float[count];
        for (long i = 0; i < count; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(_bytes.AsSpan((int)(_dataStart + begin + 4 * i), 4));
        return values;
    }

    private (string DType, int[] Shape, long Begin, long End) Entry(string name) =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'.");
}
