using System.Buffers.Binary;

namespace Atelier.Formats.Safetensors;

/// <summary>
/// Streams a safetensors file to disk: the header is written from the tensor specs up front, then each tensor's
/// bytes are appended in <see cref="Order"/>, in one piece or in chunks, so no tensor has to be held in memory
/// beyond the chunk being written. The file appears under its final name only on <see cref="Complete"/>; disposing
/// an incomplete writer deletes the partial file.
/// </summary>
/// <remarks>
/// With <see cref="SafetensorsTensorOrder.Reference"/> the layout is the reference library's, so rewriting a file
/// written by <c>safetensors.torch.save_file</c> (same tensors, same metadata in the same order) gives the same bytes.
/// </remarks>
public sealed class SafetensorsWriter : IDisposable
{
    private readonly string _path;
    private readonly string _partialPath;
    private FileStream? _stream;
    private int _current;
    private long _writtenInCurrent;
    private bool _completed;
    private readonly HashSet<string> _emptyTensors = new(StringComparer.Ordinal);

    private SafetensorsWriter(string path, string partialPath, FileStream stream, IReadOnlyList<SafetensorsTensorSpec> order)
    {
        _path = path;
        _partialPath = partialPath;
        _stream = stream;
        Order = order;
        foreach (var spec in order)
        {
            if (spec.ByteLength == 0)
                _emptyTensors.Add(spec.Name);
        }
        SkipEmptyTensors();
    }

    /// <summary>
    /// Starts writing <paramref name="path"/>. <paramref name="metadata"/> becomes <c>__metadata__</c> (null: no key at all).
    /// </summary>
    public static SafetensorsWriter Create(
        string path,
        IEnumerable<SafetensorsTensorSpec> tensors,
        IEnumerable<KeyValuePair<string, string>>? metadata = null,
        SafetensorsTensorOrder order = SafetensorsTensorOrder.Reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var list = tensors.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in list)
        {
            if (!names.Add(tensor.Name))
                throw new ArgumentException($"{path}: tensor '{tensor.Name}' is given twice.", nameof(tensors));
        }
        List<KeyValuePair<string, string>>? metadataList = metadata?.ToList();
        if (metadataList is not null)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pair in metadataList)
            {
                if (!keys.Add(pair.Key))
                    throw new ArgumentException($"{path}: metadata key '{pair.Key}' is given twice.", nameof(metadata));
            }
        }
        if (order == SafetensorsTensorOrder.Reference)
            list.Sort(CompareReference);

        byte[] header = SafetensorsHeaderWriter.Build(list, metadataList);
        if (header.Length > SafetensorsHeader.MaxHeaderLength)
            throw new ArgumentException($"{path}: the header would be {header.Length} bytes, more than readers accept (100,000,000).", nameof(tensors));

        string full = Path.GetFullPath(path);
        string partial = $"{full}.{Guid.NewGuid():N}.partial";
        var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        try
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            return new SafetensorsWriter(full, partial, stream, list);
        }
        catch
        {
            stream.Dispose();
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>Writes a whole file in one call: every tensor of <paramref name="tensors"/> with its bytes.</summary>
    public static void Write(
        string path,
        IEnumerable<(SafetensorsTensorSpec Spec, ReadOnlyMemory<byte> Bytes)> tensors,
        IEnumerable<KeyValuePair<string, string>>? metadata = null,
        SafetensorsTensorOrder order = SafetensorsTensorOrder.Reference)
    {
        var list = tensors.ToList();
        var bytes = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        foreach (var (spec, data) in list)
            bytes[spec.Name] = data;
        using var writer = Create(path, list.Select(t => t.Spec), metadata, order);
        foreach (var spec in writer.Order)
            writer.Write(spec.Name, bytes[spec.Name].Span);
        writer.Complete();
    }

    /// <summary>
    /// Rewrites <paramref name="source"/> to <paramref name="path"/> with the same metadata, streaming tensor by tensor.
    /// <see cref="SafetensorsTensorOrder.AsGiven"/> keeps the source's header order.
    /// </summary>
    public static void Copy(SafetensorsFile source, string path, SafetensorsTensorOrder order = SafetensorsTensorOrder.AsGiven)
    {
        using var writer = Create(path, source.Tensors.Select(SafetensorsTensorSpec.From), source.Metadata, order);
        foreach (var spec in writer.Order)
        {
            var info = source.GetInfo(spec.Name);
            unsafe
            {
                byte* pointer = source.GetPointer(info);
                for (long done = 0; done < info.ByteLength;)
                {
                    int chunk = (int)Math.Min(info.ByteLength - done, 1 << 24);
                    writer.Write(spec.Name, new ReadOnlySpan<byte>(pointer + done, chunk));
                    done += chunk;
                }
            }
        }
        writer.Complete();
    }

    /// <summary>The order in which tensor bytes must be written (header order = data order).</summary>
    public IReadOnlyList<SafetensorsTensorSpec> Order { get; }

    /// <summary>The tensor whose bytes are expected next, or null when all are written.</summary>
    public SafetensorsTensorSpec? Next => _current < Order.Count ? Order[_current] : null;

    /// <summary>
    /// Appends <paramref name="bytes"/> to tensor <paramref name="name"/>, which must be <see cref="Next"/>. A tensor may
    /// arrive in several chunks; the writer moves on when its byte length is reached and refuses any excess.
    /// </summary>
    public void Write(string name, ReadOnlySpan<byte> bytes)
    {
        var stream = _stream ?? throw new ObjectDisposedException(nameof(SafetensorsWriter), $"{_path}: the writer is completed or disposed.");
        if (bytes.IsEmpty && _emptyTensors.Contains(name))
            return; // zero-byte tensors have no data to wait for; accepting them keeps "write every tensor in Order" loops simple
        var next = Next ?? throw new InvalidOperationException($"{_path}: all {Order.Count} tensors are already written; '{name}' is extra.");
        if (next.Name != name)
            throw new InvalidOperationException($"{_path}: expected the bytes of '{next.Name}' next (tensor {_current} of {Order.Count}), got '{name}'.");
        if (bytes.Length > next.ByteLength - _writtenInCurrent)
            throw new ArgumentException($"{_path}: tensor '{name}' is {next.ByteLength} bytes; {_writtenInCurrent} written, {bytes.Length} more would overflow it.", nameof(bytes));
        stream.Write(bytes);
        _writtenInCurrent += bytes.Length;
        if (_writtenInCurrent == next.ByteLength)
        {
            _current++;
            _writtenInCurrent = 0;
            SkipEmptyTensors();
        }
    }

    /// <summary>Checks that every tensor was written, flushes, and moves the file to its final name (replacing any old file).</summary>
    public void Complete()
    {
        var stream = _stream ?? throw new ObjectDisposedException(nameof(SafetensorsWriter), $"{_path}: the writer is completed or disposed.");
        if (Next is { } missing)
            throw new InvalidOperationException($"{_path}: tensor '{missing.Name}' has {_writtenInCurrent} of {missing.ByteLength} bytes written; {Order.Count - _current} tensor(s) incomplete.");
        stream.Flush(flushToDisk: false);
        stream.Dispose();
        _stream = null;
        File.Move(_partialPath, _path, overwrite: true);
        _completed = true;
    }

    public void Dispose()
    {
        if (_stream is not null)
        {
            _stream.Dispose();
            _stream = null;
        }
        if (!_completed && File.Exists(_partialPath))
            File.Delete(_partialPath);
    }

    private void SkipEmptyTensors()
    {
        while (_current < Order.Count && Order[_current].ByteLength == 0)
            _current++;
    }

    /// <summary>Descending dtype rank, then name in UTF-8 byte order (= code point order), as the reference sorts.</summary>
    private static int CompareReference(SafetensorsTensorSpec a, SafetensorsTensorSpec b)
    {
        int byType = ((int)b.DType).CompareTo((int)a.DType);
        return byType != 0 ? byType : CompareCodePoints(a.Name, b.Name);
    }

    private static int CompareCodePoints(string a, string b)
    {
        var left = a.EnumerateRunes();
        var right = b.EnumerateRunes();
        while (true)
        {
            bool hasLeft = left.MoveNext(), hasRight = right.MoveNext();
            if (!hasLeft || !hasRight)
                return hasLeft.CompareTo(hasRight);
            int compared = left.Current.Value.CompareTo(right.Current.Value);
            if (compared != 0)
                return compared;
        }
    }
}
