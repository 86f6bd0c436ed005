using System.IO.MemoryMappedFiles;

namespace Atelier.Formats.Safetensors;

/// <summary>
/// A whole file mapped read-only into the address space. Mapping is constant time whatever the file size; pages are
/// read on first touch. The mapping is reference counted: the opener holds one reference (released by
/// <see cref="Dispose"/>) and every <see cref="StorageLease"/> from <see cref="Retain"/> holds another, so tensors
/// that still point into the file keep it mapped after the file object that produced them is disposed.
/// </summary>
/// <remarks>
/// The file must not be truncated by another process while mapped: reading a page past the new end faults the
/// process (this is how every mmap-based loader behaves, including the reference library's).
/// </remarks>
public sealed unsafe class MappedFile : TensorStorage, IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private int _references = 1;
    private int _openerReleased;

    private MappedFile(string path, long length, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* pointer)
    {
        Path = path;
        Length = length;
        _map = map;
        _view = view;
        _pointer = pointer;
    }

    /// <summary>Maps <paramref name="path"/> read-only. The file must not be empty (an empty file cannot be mapped).</summary>
    public static MappedFile Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1, FileOptions.RandomAccess);
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            long length = stream.Length;
            if (length == 0)
                throw new IOException($"{path}: the file is empty (0 bytes); there is nothing to map.");
            map = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new MappedFile(path, length, map, view, pointer + view.PointerOffset);
        }
        catch
        {
            view?.Dispose();
            if (map is not null) map.Dispose();
            else stream.Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>File length in bytes (the readable extent of <see cref="Pointer"/>).</summary>
    public long Length { get; }

    public override string Description => Path;

    /// <summary>True until the last reference is released.</summary>
    public bool IsMapped => Volatile.Read(ref _references) > 0;

    /// <summary>The first byte of the file. Valid while the opener or any lease holds a reference.</summary>
    public byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(!IsMapped, this);
            return _pointer;
        }
    }

    /// <summary>The bytes [offset, offset + length) of the file, bounds-checked.</summary>
    public ReadOnlySpan<byte> Slice(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"{Path}: bytes [{offset}, {offset + length}) are outside the file (length {Length}).");
        return new ReadOnlySpan<byte>(Pointer + offset, length);
    }

    public override StorageLease Retain()
    {
        while (true)
        {
            int current = Volatile.Read(ref _references);
            ObjectDisposedException.ThrowIf(current <= 0, this);
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
                return new StorageLease(this);
        }
    }

    internal override void ReleaseLease() => Release();

    /// <summary>Releases the opener's reference; the file stays mapped while leases remain.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _openerReleased, 1) == 0)
            Release();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0)
            return;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
