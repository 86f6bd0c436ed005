using System.Collections;
using System.Runtime.CompilerServices;

namespace Atelier.Tensors;

/// <summary>
/// The dimensions of a tensor, outermost first. Immutable; <c>default(Shape)</c> is the rank-0 (scalar) shape.
/// Axes may be given negative, counting from the end (<c>-1</c> is the last axis). Written as a collection
/// expression (<c>Tensor.Zeros([2, 4, 16, 24])</c>) or from an <c>int[]</c>.
/// </summary>
[CollectionBuilder(typeof(Shape), nameof(Create))]
public readonly struct Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[]? _dims;

    /// <summary>A shape with the given dimensions; each must be non-negative.</summary>
    public Shape(params ReadOnlySpan<int> dims)
    {
        for (int i = 0; i < dims.Length; i++)
            if (dims[i] < 0)
                throw new TensorShapeException("shape", $"dimension {i} is {dims[i]} in [{string.Join(", ", dims.ToArray())}]", "non-negative dimensions");
        _dims = dims.Length == 0 ? null : dims.ToArray();
    }

    /// <summary>Collection-expression builder.</summary>
    public static Shape Create(ReadOnlySpan<int> dims) => new(dims);

    /// <summary>A shape from an array of dimensions.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);

    /// <summary>The rank-0 shape of a single value.</summary>
    public static Shape Scalar => default;

    /// <summary>Number of dimensions (0 for a scalar).</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>Dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Dims => _dims;

    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            if (_dims is not null)
                foreach (int d in _dims) n = checked(n * d);
            return n;
        }
    }

    /// <summary>The size of <paramref name="axis"/> (negative counts from the end).</summary>
    public int this[int axis] => _dims![Axis(axis, "shape")];

    int IReadOnlyCollection<int>.Count => Rank;

    /// <summary>
    /// <paramref name="axis"/> made non-negative; throws a <see cref="TensorShapeException"/> naming
    /// <paramref name="op"/> when it is outside [-rank, rank).
    /// </summary>
    public int Axis(int axis, string op)
    {
        int rank = Rank;
        int a = axis < 0 ? axis + rank : axis;
        if ((uint)a >= (uint)rank)
            throw new TensorShapeException(op, $"axis {axis} is out of range for shape {this}", $"an axis in [{-rank}, {rank - 1}]");
        return a;
    }

    /// <summary>This shape with <paramref name="axis"/> (already non-negative) set to <paramref name="size"/>.</summary>
    public Shape With(int axis, int size)
    {
        int[] dims = ToArray();
        dims[axis] = size;
        return new Shape(dims);
    }

    /// <summary>This shape with a dimension of <paramref name="size"/> inserted before position <paramref name="axis"/> (0…rank).</summary>
    public Shape Insert(int axis, int size)
    {
        var dims = new List<int>(ToArray());
        dims.Insert(axis, size);
        return new Shape(dims.ToArray());
    }

    /// <summary>This shape without <paramref name="axis"/> (already non-negative).</summary>
    public Shape Remove(int axis)
    {
        var dims = new List<int>(ToArray());
        dims.RemoveAt(axis);
        return new Shape(dims.ToArray());
    }

    public int[] ToArray() => _dims is null ? [] : (int[])_dims.Clone();

    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);

    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>Like <c>[2, 4, 16, 24]</c>; a scalar is <c>[]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", ToArray()) + "]";

    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)ToArray()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
