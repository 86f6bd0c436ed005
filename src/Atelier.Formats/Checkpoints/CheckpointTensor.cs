using System.Collections.Immutable;
using Atelier.Formats.Safetensors;
using Atelier.Tensors;

namespace Atelier.Formats.Checkpoints;

/// <summary>How a checkpoint tensor relates to the bytes in its file.</summary>
public enum CheckpointTensorKind
{
    /// <summary>The file's tensor as stored.</summary>
    View,

    /// <summary>The file's bytes under another shape with the same element count (e.g. an ldm 1x1 conv [C, C, 1, 1] seen as a Linear [C, C]).</summary>
    Reshaped,

    /// <summary>A contiguous range of rows of the file's tensor (e.g. the q, k or v third of OpenCLIP's in_proj_weight).</summary>
    RowSlice,

    /// <summary>Bytes computed from the file's tensor into a pinned array (e.g. a transposed projection).</summary>
    Materialised,
}

/// <summary>
/// One weight of a model component, under its diffusers name, pointing at its bytes: for every kind but
/// <see cref="CheckpointTensorKind.Materialised"/> straight into the memory-mapped file (no copy). Half-precision
/// weights stay half precision: <see cref="FileDType"/> is what the file holds.
/// </summary>
/// <remarks>
/// To build an engine tensor: <c>var lease = t.Storage.Retain(); new Tensor(t.Pointer, t.DType, t.ShapeArray(), owner: lease)</c>
/// — the lease keeps the mapping alive however long the tensor lives. Without a lease, <see cref="Pointer"/> and
/// <see cref="Span"/> are valid while the component (or checkpoint source) that produced the tensor is open.
/// </remarks>
public sealed unsafe class CheckpointTensor
{
    private readonly byte* _pointer;

    internal CheckpointTensor(string name, SafetensorsDType dtype, ImmutableArray<long> shape, TensorStorage storage, byte* pointer, long byteLength,
        string sourceFile, string sourceKey, CheckpointTensorKind kind)
    {
        Name = name;
        FileDType = dtype;
        Shape = shape;
        Storage = storage;
        _pointer = pointer;
        ByteLength = byteLength;
        SourceFile = sourceFile;
        SourceKey = sourceKey;
        Kind = kind;
        long elements = 1;
        foreach (long dim in shape)
            elements *= dim;
        ElementCount = elements;
    }

    /// <summary>The diffusers / transformers name (<c>down_blocks.0.resnets.0.conv1.weight</c>).</summary>
    public string Name { get; }

    /// <summary>The element type as stored in the file.</summary>
    public SafetensorsDType FileDType { get; }

    /// <summary>The engine element type; <see cref="NotSupportedException"/> naming the tensor for types Atelier does not compute with.</summary>
    public DType DType => FileDType.ToDType(Name, Origin);

    public ImmutableArray<long> Shape { get; }

    public int Rank => Shape.Length;

    public long ElementCount { get; }

    public long ByteLength { get; }

    /// <summary>What keeps the bytes valid: the mapped file or the pinned array. <c>Storage.Retain()</c> gives a lease.</summary>
    public TensorStorage Storage { get; }

    /// <summary>The file the bytes come from.</summary>
    public string SourceFile { get; }

    /// <summary>The key in that file (an ldm key for single-file checkpoints).</summary>
    public string SourceKey { get; }

    public CheckpointTensorKind Kind { get; }

    /// <summary>"file: key" plus how the tensor was derived, for messages.</summary>
    public string Origin => Kind switch
    {
        CheckpointTensorKind.View => $"{SourceFile}: {SourceKey}",
        _ => $"{SourceFile}: {SourceKey} ({Kind.ToString().ToLowerInvariant()})",
    };

    /// <summary>The first byte (row-major, little-endian).</summary>
    public byte* Pointer
    {
        get
        {
            CheckAlive();
            return _pointer;
        }
    }

    /// <summary>The bytes; tensors of 2 GiB or more do not fit a span (use <see cref="Pointer"/>).</summary>
    public ReadOnlySpan<byte> Span
    {
        get
        {
            CheckAlive();
            if (ByteLength > int.MaxValue)
                throw new NotSupportedException($"{Origin}: {ByteLength} bytes do not fit a span; use Pointer.");
            return new ReadOnlySpan<byte>(_pointer, (int)ByteLength);
        }
    }

    public long[] ShapeArray() => [.. Shape];

    public int[] ShapeInt32()
    {
        var result = new int[Shape.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = Shape[i] <= int.MaxValue ? (int)Shape[i] : throw new OverflowException($"{Origin}: dimension {i} is {Shape[i]}.");
        return result;
    }

    public override string ToString() => $"{Name}: {FileDType.ToHeaderString()} [{string.Join(", ", Shape)}] from {Origin}";

    /// <summary>The entry <paramref name="info"/> of <paramref name="file"/> under the name <paramref name="name"/>.</summary>
    internal static CheckpointTensor FromFile(SafetensorsFile file, SafetensorsTensorInfo info, string name) =>
        new(name, info.DType, info.Shape, file.Storage, file.GetPointer(info), info.ByteLength, file.Path, info.Name, CheckpointTensorKind.View);

    /// <summary>The same tensor under another name.</summary>
    internal CheckpointTensor Rename(string name) =>
        new(name, FileDType, Shape, Storage, _pointer, ByteLength, SourceFile, SourceKey, Kind);

    /// <summary>The same bytes under <paramref name="shape"/> (same element count), e.g. [C, C, 1, 1] → [C, C].</summary>
    internal CheckpointTensor Reshape(string name, params long[] shape)
    {
        long elements = 1;
        foreach (long dim in shape)
            elements *= dim;
        if (elements != ElementCount)
            throw new CheckpointFormatException(SourceFile, SourceKey, $"cannot view [{string.Join(", ", Shape)}] as [{string.Join(", ", shape)}].");
        return new CheckpointTensor(name, FileDType, [.. shape], Storage, _pointer, ByteLength, SourceFile, SourceKey, CheckpointTensorKind.Reshaped);
    }

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) along dimension 0: contiguous in row-major order, so still a view.</summary>
    internal CheckpointTensor SliceRows(string name, long start, long count)
    {
        if (Rank == 0 || start < 0 || count < 0 || start + count > Shape[0])
            throw new CheckpointFormatException(SourceFile, SourceKey, $"rows [{start}, {start + count}) are outside [{string.Join(", ", Shape)}].");
        long rowBytes = Shape[0] == 0 ? 0 : ByteLength / Shape[0];
        var shape = Shape.SetItem(0, count);
        return new CheckpointTensor(name, FileDType, shape, Storage, _pointer + start * rowBytes, count * rowBytes, SourceFile, SourceKey, CheckpointTensorKind.RowSlice);
    }

    /// <summary>The transpose of a 2-D tensor, computed into a pinned array (the one mapping that must copy).</summary>
    internal CheckpointTensor Transpose2D(string name)
    {
        if (Rank != 2)
            throw new CheckpointFormatException(SourceFile, SourceKey, $"expected a 2-D tensor to transpose, found [{string.Join(", ", Shape)}].");
        int elementBytes = FileDType.BitSize() / 8;
        if (elementBytes * 8 != FileDType.BitSize())
            throw new CheckpointFormatException(SourceFile, SourceKey, $"cannot transpose packed {FileDType.ToHeaderString()} elements.");
        long rows = Shape[0], columns = Shape[1];
        var storage = new PinnedArrayStorage(ByteLength, $"transpose of {Origin}");
        byte* source = Pointer;
        byte* target = storage.Pointer;
        for (long r = 0; r < rows; r++)
        {
            for (long c = 0; c < columns; c++)
                Buffer.MemoryCopy(source + (r * columns + c) * elementBytes, target + (c * rows + r) * elementBytes, elementBytes, elementBytes);
        }
        return new CheckpointTensor(name, FileDType, [columns, rows], storage, target, ByteLength, SourceFile, SourceKey, CheckpointTensorKind.Materialised);
    }

    private void CheckAlive()
    {
        if (Storage is MappedFile { IsMapped: false })
            throw new ObjectDisposedException(nameof(CheckpointTensor), $"{Origin}: the file was closed; hold Storage.Retain() to keep tensors valid.");
    }
}
