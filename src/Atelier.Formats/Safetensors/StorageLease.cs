namespace Atelier.Formats.Safetensors;

/// <summary>One claim on a <see cref="TensorStorage"/>; the memory stays valid until every lease is disposed. Disposing twice is harmless.</summary>
public sealed class StorageLease : IDisposable
{
    private TensorStorage? _storage;

    internal StorageLease(TensorStorage storage) => _storage = storage;

    /// <summary>The storage this lease keeps alive (null once disposed).</summary>
    public TensorStorage? Storage => _storage;

    public void Dispose() => Interlocked.Exchange(ref _storage, null)?.ReleaseLease();
}
