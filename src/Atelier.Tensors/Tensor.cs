namespace Atelier.Tensors;

/// <summary>
/// An n-dimensional array: a <see cref="DType"/>, a <see cref="Shape"/>, strides (in elements) and an offset into
/// a storage shared with its views. Tensors are immutable in layout: view methods (<see cref="Reshape(Shape)"/>,
/// <see cref="Permute"/>, <see cref="Narrow"/> …) return new tensors over the same memory, and operations
/// (<see cref="Ops"/>) return new tensors. Compute is float32; F16/BF16 inputs are widened on the fly.
/// </summary>
/// <remarks>
/// Conventions: layout and metadata are instance members of <see cref="Tensor"/> (views, <see cref="Contiguous"/>,
/// <see cref="Cast"/>, data access, autograd entry points); every computation is a static method of
/// <see cref="Ops"/>, written as an extension method so it reads either way: <c>Ops.Silu(x)</c> or <c>x.Silu()</c>.
/// Arithmetic operators (<c>+ - * /</c>, unary <c>-</c>) forward to <see cref="Ops"/>.
/// </remarks>
public sealed unsafe partial class Tensor
{
    private readonly long[] _strides;

    internal Tensor(TensorStorage storage, DType dtype, Shape shape, long[] strides, long offset)
    {
        Storage = storage;
        DType = dtype;
        Shape = shape;
        _strides = strides;
        Offset = offset;
        IsContiguous = ComputeIsContiguous(shape, strides);
    }

    internal TensorStorage Storage { get; }

    /// <summary>Element type of the storage (compute is float32 whatever it is).</summary>
    public DType DType { get; }

    /// <summary>Dimensions, outermost first.</summary>
    public Shape Shape { get; }

    /// <summary>Element offset of each index step, per dimension (0 for broadcast dimensions).</summary>
    public ReadOnlySpan<long> Strides => _strides;

    /// <summary>Offset of element [0, …, 0] from the start of the storage, in elements.</summary>
    public long Offset { get; }

    public int Rank => Shape.Rank;

    /// <summary>Number of elements (the product of the shape).</summary>
    public long ElementCount => Shape.ElementCount;

    /// <summary>True when the elements are laid out row-major without gaps (strides of size-1 dimensions are ignored).</summary>
    public bool IsContiguous { get; }

    /// <summary>True when the memory is external (e.g. a memory-mapped checkpoint), not from the pool.</summary>
    public bool IsExternal => Storage.IsExternal;

    /// <summary>Optional name used in error messages and debugging (e.g. the checkpoint key).</summary>
    public string? Name { get; set; }

    /// <summary>Size of <paramref name="axis"/> (negative counts from the end).</summary>
    public int Size(int axis) => Shape[axis];

    /// <summary>Stride of <paramref name="axis"/> in elements (negative counts from the end).</summary>
    public long Stride(int axis) => _strides[Shape.Axis(axis, "stride")];

    internal long[] StridesArray => _strides;

    /// <summary>True when both tensors view the same memory block.</summary>
    public bool SharesStorageWith(Tensor other) => ReferenceEquals(Storage, other.Storage);

    /// <summary>Address of element [0, …, 0]; throws <see cref="TensorReleasedException"/> when the memory went back to the pool.</summary>
    internal byte* Data
    {
        get
        {
            void* p = Storage.Data;
            if (p is null && Storage.IsReleased) throw new TensorReleasedException(Shape, DType);
            return (byte*)p + Offset * DType.Size();
        }
    }

    /// <summary>Data as float32 (only for <see cref="DType.F32"/>).</summary>
    internal float* F32 => DType == DType.F32 ? (float*)Data : throw new InvalidOperationException($"internal: {DType} tensor {Shape} used as F32");

    /// <summary>Row-major strides of a contiguous tensor of <paramref name="shape"/>.</summary>
    public static long[] ContiguousStrides(Shape shape)
    {
        var strides = new long[shape.Rank];
        long s = 1;
        for (int i = shape.Rank - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(1, shape.Dims[i]);
        }
        return strides;
    }

    private static bool ComputeIsContiguous(Shape shape, long[] strides)
    {
        long expected = 1;
        for (int i = shape.Rank - 1; i >= 0; i--)
        {
            int d = shape.Dims[i];
            if (d == 0) return true;
            if (d == 1) continue;
            if (strides[i] != expected) return false;
            expected *= d;
        }
        return true;
    }

    public override string ToString()
    {
        string grad = GradFn is not null ? $", grad_fn={GradFn.Op}" : RequiresGrad ? ", requires_grad" : "";
        string name = Name is null ? "" : $" '{Name}'";
        return $"Tensor{name} {DType} {Shape}{(IsContiguous ? "" : " (strided)")}{grad}";
    }
}
