namespace Atelier.Tensors;

/// <summary>
/// Releases the tensors created while it is active back to the pool when disposed, so a forward pass does not
/// churn the GC or the allocator:
/// <code>
/// using (var scope = TensorScope.Begin())
/// {
///     var h = ...;                 // intermediates: released when the scope ends
///     result = scope.Keep(h);      // survives: moved to the enclosing scope (or to the finalizer)
/// }
/// </code>
/// Scopes nest and follow the async flow that began them (not just the thread); they must be disposed in
/// reverse order of creation. A tensor used after its scope ended throws a <see cref="TensorReleasedException"/>
/// naming its shape. Views share their base's storage, so keeping a view keeps the base memory. Autograd graphs
/// hold their saved tensors by reference only: run forward and backward inside the same scope. Tensors created
/// outside any scope (model weights, gradients of leaves) are freed by a finalizer when unreachable.
/// </summary>
public sealed class TensorScope : IDisposable
{
    private static readonly AsyncLocal<TensorScope?> s_current = new();

    private readonly TensorScope? _parent;
    private readonly List<TensorStorage> _owned = [];
    private readonly object _lock = new();
    private bool _disposed;

    private TensorScope(TensorScope? parent) => _parent = parent;

    /// <summary>The innermost active scope of this async flow, or null.</summary>
    internal static TensorScope? Current => s_current.Value;

    /// <summary>Starts a scope nested in the current one.</summary>
    public static TensorScope Begin()
    {
        var scope = new TensorScope(s_current.Value);
        s_current.Value = scope;
        return scope;
    }

    /// <summary>Bytes of the blocks this scope will release (useful to see what a forward pass allocates).</summary>
    public long OwnedBytes
    {
        get
        {
            lock (_lock)
            {
                long sum = 0;
                foreach (var s in _owned)
                    if (ReferenceEquals(s.Scope, this) && !s.IsReleased) sum += s.ByteLength;
                return sum;
            }
        }
    }

    /// <summary>
    /// Moves <paramref name="tensor"/>'s storage to the enclosing scope (or, at the outermost scope, hands it to
    /// the finalizer) so it survives this scope. Tensors owned by an outer scope or backed by external memory are
    /// left alone. Its gradient, if any, is never scoped. Returns the tensor for chaining.
    /// </summary>
    public Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var storage = tensor.Storage;
        if (storage.IsReleased) throw new TensorReleasedException(tensor.Shape, tensor.DType);
        lock (_lock)
        {
            if (!ReferenceEquals(storage.Scope, this)) return tensor;
            if (_parent is not null)
                _parent.Adopt(storage);
            else
                storage.BecomeUnscoped();
        }
        return tensor;
    }

    /// <summary>Releases every storage still owned by this scope and makes the enclosing scope current again.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (!ReferenceEquals(s_current.Value, this))
            throw new InvalidOperationException("TensorScope: scopes must be disposed in reverse order of Begin() and in the async flow that began them; this scope is not the current one.");
        _disposed = true;
        s_current.Value = _parent;
        lock (_lock)
        {
            foreach (var storage in _owned)
                if (ReferenceEquals(storage.Scope, this))
                    storage.Release();
            _owned.Clear();
        }
    }

    internal void Adopt(TensorStorage storage)
    {
        lock (_lock)
        {
            if (_disposed)
                throw new InvalidOperationException("TensorScope: cannot adopt a tensor into a scope that has ended.");
            storage.Scope = this;
            _owned.Add(storage);
        }
    }
}
