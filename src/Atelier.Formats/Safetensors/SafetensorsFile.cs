using System.Buffers.Binary;
using Atelier.Formats.Checkpoints;

namespace Atelier.Formats.Safetensors;

/// <summary>
/// A safetensors file opened for reading: the header is parsed and validated at open (constant time in the data
/// size: the file is memory-mapped, not read), tensor bytes are touched only when a caller reads them.
/// </summary>
/// <remarks>
/// Every tensor is a zero-copy view: <see cref="GetSpan"/> / <see cref="GetPointer"/> point into the mapping and
/// stay valid while this object is open, or longer for whoever holds a lease from <see cref="Storage"/>.
/// Data is little-endian, row-major, as written; offsets are not realigned (reference writers pad the header to a
/// multiple of 8 bytes so data starts 8-aligned; other writers may not).
/// </remarks>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MappedFile _mapping;
    private readonly Dictionary<string, SafetensorsTensorInfo> _byName;

    private SafetensorsFile(string path, MappedFile mapping, long headerLength, SafetensorsHeader header)
    {
        Path = path;
        _mapping = mapping;
        HeaderLength = headerLength;
        Tensors = header.Tensors;
        Metadata = header.Metadata;
        _byName = new Dictionary<string, SafetensorsTensorInfo>(header.Tensors.Count, StringComparer.Ordinal);
        foreach (var tensor in header.Tensors)
            _byName.Add(tensor.Name, tensor);
    }

    /// <summary>
    /// Opens and validates <paramref name="path"/>. Throws <see cref="SafetensorsFormatException"/> for a malformed
    /// file, <see cref="PickleCheckpointException"/> for a PyTorch pickle checkpoint (refused, with the reason and a
    /// conversion hint), <see cref="FileNotFoundException"/> when absent.
    /// </summary>
    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            throw new SafetensorsFormatException(path, null, null, "this is a directory; expected a .safetensors file (open a diffusers folder with CheckpointSource.Open).");
        long length = new FileInfo(path).Length; // throws FileNotFoundException naming the path
        if (PickleDetector.Detect(path) is { } pickle)
            throw PickleCheckpointException.For(path, pickle);
        if (length < 8)
            throw new SafetensorsFormatException(path, null, "header length", $"the file is {length} bytes; a safetensors file starts with an 8-byte header length.");

        var mapping = MappedFile.Open(path);
        try
        {
            ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(mapping.Slice(0, 8));
            if (declared > SafetensorsHeader.MaxHeaderLength)
                throw new SafetensorsFormatException(path, null, "header length",
                    $"the header claims {declared} bytes, more than the 100,000,000-byte bound of the reference library (file length {mapping.Length}).{ExtensionHint(path)}");
            long headerLength = (long)declared;
            if (8 + headerLength > mapping.Length)
                throw new SafetensorsFormatException(path, null, "header length",
                    $"the header claims {headerLength} bytes but only {mapping.Length - 8} follow the length field (file truncated?).{ExtensionHint(path)}");
            var header = SafetensorsHeader.Parse(mapping.Slice(8, (int)headerLength), mapping.Length - 8 - headerLength, path);
            return new SafetensorsFile(path, mapping, headerLength, header);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    public string Path { get; }

    /// <summary>Length of the JSON header in bytes (N, the first 8 bytes of the file, padding included).</summary>
    public long HeaderLength { get; }

    /// <summary>File offset of the data section (8 + N).</summary>
    public long DataStart => 8 + HeaderLength;

    public long FileLength => _mapping.Length;

    /// <summary>The entries in header order (for reference-written files also data order).</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map in header order, or null when the header has none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Metadata { get; }

    /// <summary>The mapping that tensor pointers point into; <c>Storage.Retain()</c> keeps them valid past <see cref="Dispose"/>.</summary>
    public TensorStorage Storage => _mapping;

    public int Count => Tensors.Count;

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGetInfo(string name, out SafetensorsTensorInfo info) => _byName.TryGetValue(name, out info!);

    /// <summary>The entry for <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> naming the file and tensor.</summary>
    public SafetensorsTensorInfo GetInfo(string name) =>
        _byName.TryGetValue(name, out var info) ? info : throw new KeyNotFoundException($"{Path}: no tensor named '{name}' (the file holds {Tensors.Count} tensors).");

    /// <summary>The value of metadata key <paramref name="key"/>, or null.</summary>
    public string? GetMetadata(string key)
    {
        if (Metadata is null)
            return null;
        foreach (var pair in Metadata)
        {
            if (pair.Key == key)
                return pair.Value;
        }
        return null;
    }

    /// <summary>The first byte of the tensor's data in the mapping; valid while the file is open (or a lease is held).</summary>
    public byte* GetPointer(SafetensorsTensorInfo info)
    {
        CheckOwned(info);
        return _mapping.Pointer + DataStart + info.Begin;
    }

    /// <summary>The tensor's bytes (zero-copy). Tensors of 2 GiB or more do not fit a span: use <see cref="GetPointer"/>.</summary>
    public ReadOnlySpan<byte> GetSpan(SafetensorsTensorInfo info)
    {
        CheckOwned(info);
        if (info.ByteLength > int.MaxValue)
            throw new NotSupportedException($"{Path}: tensor '{info.Name}' is {info.ByteLength} bytes, too large for a span; use GetPointer.");
        return new ReadOnlySpan<byte>(_mapping.Pointer + DataStart + info.Begin, (int)info.ByteLength);
    }

    public ReadOnlySpan<byte> GetSpan(string name) => GetSpan(GetInfo(name));

    /// <summary>Releases this object's claim on the mapping; outstanding leases keep it mapped.</summary>
    public void Dispose() => _mapping.Dispose();

    private void CheckOwned(SafetensorsTensorInfo info)
    {
        if (!_byName.TryGetValue(info.Name, out var own) || !ReferenceEquals(own, info))
            throw new ArgumentException($"{Path}: tensor info '{info.Name}' belongs to another file.", nameof(info));
    }

    private static string ExtensionHint(string path)
    {
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        return extension is ".ckpt" or ".pt" or ".pth" or ".bin"
            ? $" The '{extension}' extension suggests a PyTorch checkpoint, but the content is neither a pickle nor a zip archive Atelier recognises."
            : "";
    }
}
