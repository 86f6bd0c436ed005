using System.Collections.Immutable;

namespace Atelier.Formats.Safetensors;

/// <summary>What the writer needs to know about a tensor before its bytes arrive: name, dtype, shape.</summary>
public sealed class SafetensorsTensorSpec
{
    public SafetensorsTensorSpec(string name, SafetensorsDType dtype, ReadOnlySpan<long> shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == SafetensorsHeader.MetadataKey)
            throw new ArgumentException($"'{SafetensorsHeader.MetadataKey}' is reserved for the metadata map and cannot name a tensor.", nameof(name));
        long elements = 1;
        foreach (long dim in shape)
        {
            if (dim < 0)
                throw new ArgumentOutOfRangeException(nameof(shape), $"tensor '{name}': negative dimension {dim} in [{string.Join(", ", shape.ToArray())}].");
            elements = checked(elements * dim);
        }
        long bits = checked(elements * dtype.BitSize());
        if (bits % 8 != 0)
            throw new ArgumentException($"tensor '{name}': {elements} elements of {dtype.ToHeaderString()} do not fill whole bytes.", nameof(shape));
        Name = name;
        DType = dtype;
        Shape = [.. shape];
        ByteLength = bits / 8;
    }

    public SafetensorsTensorSpec(string name, SafetensorsDType dtype, ReadOnlySpan<int> shape)
        : this(name, dtype, Widen(shape))
    {
    }

    public string Name { get; }

    public SafetensorsDType DType { get; }

    public ImmutableArray<long> Shape { get; }

    public long ByteLength { get; }

    /// <summary>The spec of an existing entry (to rewrite a file).</summary>
    public static SafetensorsTensorSpec From(SafetensorsTensorInfo info) => new(info.Name, info.DType, info.Shape.AsSpan());

    private static long[] Widen(ReadOnlySpan<int> shape)
    {
        var wide = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++)
            wide[i] = shape[i];
        return wide;
    }
}
