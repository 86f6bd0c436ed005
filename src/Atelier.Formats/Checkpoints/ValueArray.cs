using System.Collections;

namespace Atelier.Formats.Checkpoints;

/// <summary>
/// An immutable list compared by value, so config records holding lists (<c>block_out_channels</c>, block types)
/// compare equal when their contents do. Prints as <c>[a, b, c]</c>.
/// </summary>
public sealed class ValueArray<T> : IReadOnlyList<T>, IEquatable<ValueArray<T>>
{
    private readonly T[] _items;

    public ValueArray(IEnumerable<T> items) => _items = [.. items];

    public static ValueArray<T> Empty { get; } = new([]);

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public static implicit operator ValueArray<T>(T[] items) => new(items);

    public T[] ToArray() => (T[])_items.Clone();

    public bool Equals(ValueArray<T>? other) =>
        other is not null && _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => obj is ValueArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
            hash.Add(item);
        return hash.ToHashCode();
    }

    public static bool operator ==(ValueArray<T>? left, ValueArray<T>? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(ValueArray<T>? left, ValueArray<T>? right) => !(left == right);

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public override string ToString() => "[" + string.Join(", ", _items) + "]";
}
