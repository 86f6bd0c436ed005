namespace Atelier.Formats.Safetensors;

/// <summary>
/// Memory at a fixed address that tensor views point into: a mapped file (<see cref="MappedFile"/>) or a pinned
/// array holding bytes that had to be materialised (<see cref="PinnedArrayStorage"/>). A holder of a pointer into the
/// storage keeps the memory valid by holding a <see cref="StorageLease"/> from <see cref="Retain"/>; disposing the
/// lease lets the storage go. This is the "owner" a Tensor adapter keeps: pointer + dtype + shape + lease.
/// </summary>
public abstract class TensorStorage
{
    /// <summary>A description for messages (the file path, or what was materialised).</summary>
    public abstract string Description { get; }

    /// <summary>Keeps the memory valid until the returned lease is disposed. Throws when the storage is already released.</summary>
    public abstract StorageLease Retain();

    /// <summary>Called once per lease when it is disposed.</summary>
    internal abstract void ReleaseLease();
}
