using System.Collections.Immutable;
using Atelier.Tensors;

namespace Atelier.Formats.Safetensors;

/// <summary>
/// One validated header entry: the tensor's name, element type, shape and byte range inside the data section
/// (<c>data_offsets</c>, relative to the first byte after the header, as in the file).
/// </summary>
public sealed class SafetensorsTensorInfo
{
    internal SafetensorsTensorInfo(string name, SafetensorsDType dtype, ImmutableArray<long> shape, long elementCount, long begin, long end)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        ElementCount = elementCount;
        Begin = begin;
        End = end;
    }

    public string Name { get; }

    public SafetensorsDType DType { get; }

    /// <summary>Dimensions, outermost first (row-major). Empty for a scalar.</summary>
    public ImmutableArray<long> Shape { get; }

    public int Rank => Shape.Length;

    public long ElementCount { get; }

    /// <summary>First byte, relative to the data section.</summary>
    public long Begin { get; }

    /// <summary>One past the last byte, relative to the data section.</summary>
    public long End { get; }

    public long ByteLength => End - Begin;

    /// <summary>The shape as a fresh <c>long[]</c>.</summary>
    public long[] ShapeArray() => [.. Shape];

    /// <summary>The shape as a fresh <c>int[]</c>; throws when a dimension exceeds <see cref="int.MaxValue"/>.</summary>
    public int[] ShapeInt32()
    {
        var result = new int[Shape.Length];
        for (int i = 0; i < result.Length; i++)
        {
            if (Shape[i] > int.MaxValue)
                throw new OverflowException($"tensor '{Name}': dimension {i} is {Shape[i]}, larger than int.MaxValue.");
            result[i] = (int)Shape[i];
        }
        return result;
    }

    /// <summary>The engine dtype; throws <see cref="NotSupportedException"/> naming the tensor for types Atelier does not compute with.</summary>
    public DType ToDType(string file) => DType.ToDType(Name, file);

    public override string ToString() => $"{Name}: {DType.ToHeaderString()} [{string.Join(", ", Shape)}] @ [{Begin}, {End})";
}
