using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Atelier.Formats.Safetensors;

/// <summary>
/// Bytes that had to be materialised (e.g. a transposed checkpoint tensor) in a pinned array, so they can be handed
/// out as a pointer exactly like mapped file bytes. The array lives as long as the storage object is referenced;
/// leases only hold that reference.
/// </summary>
public sealed unsafe class PinnedArrayStorage : TensorStorage
{
    private readonly byte[] _bytes;

    public PinnedArrayStorage(long length, string description)
    {
        if (length < 0 || length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"{description}: cannot materialise {length} bytes in one array.");
        _bytes = GC.AllocateUninitializedArray<byte>((int)length, pinned: true);
        Description = description;
    }

    public override string Description { get; }

    public long Length => _bytes.Length;

    /// <summary>The first byte; stable for the object's lifetime (the array is allocated pinned).</summary>
    public byte* Pointer => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_bytes));

    public Span<byte> Span => _bytes;

    public override StorageLease Retain() => new(this);

    internal override void ReleaseLease()
    {
        // The lease only kept this object reachable; the garbage collector frees the array.
    }
}
