namespace Atelier.Tensors;

/// <summary>
/// The memory behind one or more tensors (a tensor and all its views share one storage). Either a pooled block
/// (owned: released by its <see cref="TensorScope"/> or its finalizer) or external memory (a pointer whose
/// lifetime is guaranteed by <see cref="Owner"/>, e.g. a memory-mapped safetensors file, never freed here).
/// </summary>
internal sealed unsafe class TensorStorage
{
    private void* _data;
    private readonly long _capacity;
    private long _pressure;

    private TensorStorage(void* data, long byteLength, long capacity, object? owner)
    {
        _data = data;
        ByteLength = byteLength;
        _capacity = capacity;
        Owner = owner;
    }

    /// <summary>Bytes usable by tensors.</summary>
    public long ByteLength { get; }

    /// <summary>Keeps external memory valid (null for pooled storage).</summary>
    public object? Owner { get; }

    public bool IsExternal => _capacity == 0;

    /// <summary>True once the block went back to the pool; any further access must throw.</summary>
    public bool IsReleased { get; private set; }

    /// <summary>The scope that will release this storage; null when only the finalizer will.</summary>
    public TensorScope? Scope { get; set; }

    /// <summary>The block, or null once released (callers turn that into a <see cref="TensorReleasedException"/>).</summary>
    public void* Data => _data;

    /// <summary>A pooled block, registered with the current scope when <paramref name="scoped"/> and one is active.</summary>
    public static TensorStorage Allocate(long bytes, bool scoped = true)
    {
        void* p = TensorMemory.Rent(bytes, out long capacity);
        var storage = new TensorStorage(p, bytes, capacity, null);
        TensorScope? scope = scoped ? TensorScope.Current : null;
        if (scope is not null)
            scope.Adopt(storage);
        else
            storage.BecomeUnscoped();
        return storage;
    }

    public static TensorStorage External(void* data, long bytes, object? owner)
    {
        var storage = new TensorStorage(data, bytes, 0, owner);
        GC.SuppressFinalize(storage);
        return storage;
    }

    /// <summary>From now on only the finalizer releases this block; tell the GC how much native memory it holds.</summary>
    public void BecomeUnscoped()
    {
        Scope = null;
        if (IsExternal || IsReleased || _pressure != 0) return;
        _pressure = _capacity;
        GC.AddMemoryPressure(_pressure);
    }

    /// <summary>Returns the block to the pool; later accesses through any tensor throw.</summary>
    public void Release()
    {
        if (IsExternal || IsReleased) return;
        IsReleased = true;
        void* p = _data;
        _data = null;
        TensorMemory.Return(p, _capacity);
        if (_pressure != 0) GC.RemoveMemoryPressure(_pressure);
        _pressure = 0;
        GC.SuppressFinalize(this);
    }

    ~TensorStorage()
    {
        if (IsExternal || IsReleased) return;
        IsReleased = true;
        TensorMemory.Return(_data, _capacity);
        if (_pressure != 0) GC.RemoveMemoryPressure(_pressure);
    }
}
