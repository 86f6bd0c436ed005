namespace Atelier.Nn;

/// <summary>Children registered as "0", "1", … (torch.nn.ModuleList), so checkpoint keys like <c>resnets.1.conv1.weight</c> resolve.</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = [];

    public ModuleList() { }

    public ModuleList(IEnumerable<T> items)
    {
        foreach (var item in items) Append(item);
    }

    public T Append(T item)
    {
        Add(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), item);
        _items.Add(item);
        return item;
    }

    public T this[int index] => _items[index];
    public int Count => _items.Count;
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
