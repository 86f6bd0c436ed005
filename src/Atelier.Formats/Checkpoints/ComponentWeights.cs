namespace Atelier.Formats.Checkpoints;

/// <summary>
/// The weights of one model component (UNet, VAE, text encoder) by diffusers name, whatever layout they came from.
/// Disposing releases this component's claim on the underlying files; tensors whose storage someone leased stay valid.
/// </summary>
public sealed class ComponentWeights : IDisposable
{
    private readonly Dictionary<string, CheckpointTensor> _byName;
    private readonly List<IDisposable> _owned;

    internal ComponentWeights(string description, IEnumerable<CheckpointTensor> tensors, IEnumerable<IDisposable> owned, IReadOnlyList<string> notes)
    {
        Description = description;
        _owned = [.. owned];
        _byName = new Dictionary<string, CheckpointTensor>(StringComparer.Ordinal);
        foreach (var tensor in tensors)
        {
            if (!_byName.TryAdd(tensor.Name, tensor))
                throw new CheckpointFormatException(description, tensor.Name, $"two tensors map to this name: {_byName[tensor.Name].Origin} and {tensor.Origin}.");
        }
        Tensors = [.. _byName.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];
        Notes = notes;
    }

    /// <summary>Where the weights come from (folder or file, and component).</summary>
    public string Description { get; }

    /// <summary>All tensors, ordered by name (ordinal).</summary>
    public IReadOnlyList<CheckpointTensor> Tensors { get; }

    public int Count => Tensors.Count;

    public IEnumerable<string> Names => Tensors.Select(t => t.Name);

    /// <summary>What was renamed, reshaped, split or ignored on the way (one line each), for the CLI to print.</summary>
    public IReadOnlyList<string> Notes { get; }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGet(string name, out CheckpointTensor tensor) => _byName.TryGetValue(name, out tensor!);

    public CheckpointTensor this[string name] =>
        _byName.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"{Description}: no weight named '{name}' ({Count} weights).");

    /// <summary>Total bytes of all tensors.</summary>
    public long ByteLength => Tensors.Sum(t => t.ByteLength);

    public void Dispose()
    {
        foreach (var owned in _owned)
            owned.Dispose();
        _owned.Clear();
    }
}
