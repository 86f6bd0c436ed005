using Atelier.Tensors.Kernels;

namespace Atelier.Tensors;

// Views: new tensors over the same storage with another shape/strides/offset. None of them copies, except
// Reshape when the strides make a view impossible (then it copies, documented there) and Contiguous/Clone/Cast.
// Every view propagates gradients to its base (rules in Autograd/Derivatives.cs).
public sealed unsafe partial class Tensor
{
    /// <summary>
    /// The same elements in <paramref name="dims"/> (one entry may be -1: inferred). A view when the strides allow
    /// it (always for contiguous tensors); otherwise the elements are first copied to a contiguous tensor.
    /// Use <see cref="View(ReadOnlySpan{int})"/> to forbid the copy.
    /// </summary>
    public Tensor Reshape(params ReadOnlySpan<int> dims)
    {
        Shape target = InferShape(dims, "reshape");
        long[]? strides = ViewStrides(target);
        if (strides is null) return Contiguous().Reshape(dims);
        return MakeView(target, strides, Offset, "reshape", Derivatives.Reshape);
    }

    /// <summary>Reshape to an explicit shape (see <see cref="Reshape(ReadOnlySpan{int})"/>).</summary>
    public Tensor Reshape(Shape shape) => Reshape(shape.Dims);

    /// <summary>Like <see cref="Reshape(ReadOnlySpan{int})"/> but never copies: throws when the strides make a view impossible.</summary>
    public Tensor View(params ReadOnlySpan<int> dims)
    {
        Shape target = InferShape(dims, "view");
        long[] strides = ViewStrides(target)
            ?? throw new TensorShapeException("view", $"a tensor of shape {Shape} with strides [{string.Join(", ", _strides)}] cannot be viewed as {target} without a copy", "compatible strides (call Contiguous() or Reshape)");
        return MakeView(target, strides, Offset, "view", Derivatives.Reshape);
    }

    /// <summary>View as an explicit shape (see <see cref="View(ReadOnlySpan{int})"/>).</summary>
    public Tensor View(Shape shape) => View(shape.Dims);

    /// <summary>Dimensions reordered: result dimension i is input dimension <paramref name="dims"/>[i].</summary>
    public Tensor Permute(params ReadOnlySpan<int> dims)
    {
        if (dims.Length != Rank)
            throw new TensorShapeException("permute", $"{dims.Length} dimensions [{string.Join(", ", dims.ToArray())}] for tensor {Shape}", $"a permutation of all {Rank} dimensions");
        var seen = new bool[Rank];
        var shape = new int[Rank];
        var strides = new long[Rank];
        var perm = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int d = Shape.Axis(dims[i], "permute");
            if (seen[d])
                throw new TensorShapeException("permute", $"dimension {dims[i]} repeated in [{string.Join(", ", dims.ToArray())}] for tensor {Shape}", "each dimension exactly once");
            seen[d] = true;
            perm[i] = d;
            shape[i] = Shape.Dims[d];
            strides[i] = _strides[d];
        }
        return MakeView(new Shape(shape), strides, Offset, "permute", Derivatives.Permute, perm);
    }

    /// <summary>Dimensions <paramref name="dim0"/> and <paramref name="dim1"/> swapped.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        int a = Shape.Axis(dim0, "transpose"), b = Shape.Axis(dim1, "transpose");
        var perm = new int[Rank];
        for (int i = 0; i < Rank; i++) perm[i] = i;
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>The transpose of a 2-D tensor.</summary>
    public Tensor T => Rank == 2 ? Transpose(0, 1)
        : throw new TensorShapeException("T", $"tensor has shape {Shape}", "a 2-D tensor (use Transpose(a, b) or Permute for other ranks)");

    /// <summary>Elements <paramref name="start"/> … <paramref name="start"/> + <paramref name="length"/> - 1 of <paramref name="dim"/> (start may be negative).</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        int d = Shape.Axis(dim, "narrow");
        int size = Shape.Dims[d];
        int s = start < 0 ? start + size : start;
        if (s < 0 || length < 0 || s > size || length > size - s)
            throw new TensorShapeException("narrow", $"start {start}, length {length} on dimension {dim} of size {size} in tensor {Shape}", "0 <= start and start + length <= size");
        return Slice(d, s, s + length, 1);
    }

    /// <summary>
    /// Elements start, start + step, … below end of <paramref name="dim"/>, like Python's <c>x[start:end:step]</c>
    /// (start/end may be negative; end is clamped to the size). <paramref name="step"/> must be positive.
    /// </summary>
    public Tensor Slice(int dim, int start, int end, int step = 1)
    {
        int d = Shape.Axis(dim, "slice");
        int size = Shape.Dims[d];
        int s = start < 0 ? start + size : start;
        int e = end < 0 ? end + size : Math.Min(end, size);
        if (step <= 0 || s < 0 || s > size || e < s)
            throw new TensorShapeException("slice", $"[{start}:{end}:{step}] on dimension {dim} of size {size} in tensor {Shape}", "0 <= start <= end <= size and step > 0");
        int length = (e - s + step - 1) / step;
        var strides = (long[])_strides.Clone();
        strides[d] *= step;
        return MakeView(Shape.With(d, length), strides, Offset + s * _strides[d], "slice", Derivatives.Slice, [d, s, length, step]);
    }

    /// <summary>Index <paramref name="index"/> (negative counts from the end) of <paramref name="dim"/>, which is removed: x[..., index, ...].</summary>
    public Tensor Select(int dim, int index)
    {
        int d = Shape.Axis(dim, "select");
        int size = Shape.Dims[d];
        int i = index < 0 ? index + size : index;
        if ((uint)i >= (uint)size)
            throw new TensorShapeException("select", $"index {index} is out of range for dimension {dim} of size {size} in tensor {Shape}", $"an index in [{-size}, {size - 1}]");
        var strides = new List<long>(_strides);
        strides.RemoveAt(d);
        return MakeView(Shape.Remove(d), strides.ToArray(), Offset + i * _strides[d], "select", Derivatives.Select, [d, i]);
    }

    /// <summary>A size-1 dimension inserted at <paramref name="dim"/> (in [-rank-1, rank]).</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = dim < 0 ? dim + Rank + 1 : dim;
        if ((uint)d > (uint)Rank)
            throw new TensorShapeException("unsqueeze", $"dimension {dim} for tensor {Shape}", $"a dimension in [{-Rank - 1}, {Rank}]");
        var strides = new List<long>(_strides);
        strides.Insert(d, d < Rank ? _strides[d] * Shape.Dims[d] : 1);
        return MakeView(Shape.Insert(d, 1), strides.ToArray(), Offset, "unsqueeze", Derivatives.Reshape);
    }

    /// <summary>Dimension <paramref name="dim"/>, which must have size 1, removed.</summary>
    public Tensor Squeeze(int dim)
    {
        int d = Shape.Axis(dim, "squeeze");
        if (Shape.Dims[d] != 1)
            throw new TensorShapeException("squeeze", $"dimension {dim} has size {Shape.Dims[d]} in tensor {Shape}", "a dimension of size 1");
        var strides = new List<long>(_strides);
        strides.RemoveAt(d);
        return MakeView(Shape.Remove(d), strides.ToArray(), Offset, "squeeze", Derivatives.Reshape);
    }

    /// <summary>Every size-1 dimension removed.</summary>
    public Tensor Squeeze()
    {
        var dims = new List<int>();
        var strides = new List<long>();
        for (int i = 0; i < Rank; i++)
            if (Shape.Dims[i] != 1)
            {
                dims.Add(Shape.Dims[i]);
                strides.Add(_strides[i]);
            }
        return MakeView(new Shape(dims.ToArray()), strides.ToArray(), Offset, "squeeze", Derivatives.Reshape);
    }

    /// <summary>Dimensions <paramref name="startDim"/> … <paramref name="endDim"/> merged into one (a view when possible, see Reshape).</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = Shape.Axis(startDim, "flatten"), e = Shape.Axis(endDim, "flatten");
        if (s > e)
            throw new TensorShapeException("flatten", $"start dimension {startDim} comes after end dimension {endDim} in tensor {Shape}", "startDim <= endDim");
        var dims = new List<int>();
        for (int i = 0; i < s; i++) dims.Add(Shape.Dims[i]);
        long merged = 1;
        for (int i = s; i <= e; i++) merged *= Shape.Dims[i];
        dims.Add(checked((int)merged));
        for (int i = e + 1; i < Rank; i++) dims.Add(Shape.Dims[i]);
        return Reshape(dims.ToArray());
    }

    /// <summary>
    /// A broadcast view to <paramref name="dims"/> (stride 0 along expanded dimensions, no copy). Dimensions are
    /// aligned at the end; a size-1 dimension expands to any size, -1 keeps the size, new leading dimensions may be
    /// added. The result must not be written to.
    /// </summary>
    public Tensor Expand(params ReadOnlySpan<int> dims)
    {
        int rank = dims.Length, lead = rank - Rank;
        if (lead < 0)
            throw new TensorShapeException("expand", $"target [{string.Join(", ", dims.ToArray())}] has fewer dimensions than tensor {Shape}", $"at least {Rank} dimensions");
        var shape = new int[rank];
        var strides = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            int want = dims[i];
            if (i < lead)
            {
                if (want < 0)
                    throw new TensorShapeException("expand", $"-1 at new leading dimension {i} of target [{string.Join(", ", dims.ToArray())}] for tensor {Shape}", "an explicit size for new dimensions");
                shape[i] = want;
                strides[i] = 0;
                continue;
            }
            int have = Shape.Dims[i - lead];
            if (want == -1 || want == have)
            {
                shape[i] = have;
                strides[i] = _strides[i - lead];
            }
            else if (have == 1 && want >= 0)
            {
                shape[i] = want;
                strides[i] = 0;
            }
            else
            {
                throw new TensorShapeException("expand", $"dimension {i - lead} of tensor {Shape} has size {have}, target [{string.Join(", ", dims.ToArray())}] wants {want}", "equal sizes, or size 1 in the tensor");
            }
        }
        return MakeView(new Shape(shape), strides, Offset, "expand", Derivatives.Expand);
    }

    /// <summary>Same as <see cref="Expand"/> with a target shape (no -1).</summary>
    public Tensor BroadcastTo(Shape shape) => Expand(shape.Dims);

    /// <summary>Views of <paramref name="chunks"/> nearly equal parts along <paramref name="dim"/> (the last may be smaller; fewer parts when the size is small), like torch.chunk.</summary>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        if (chunks <= 0)
            throw new TensorShapeException("chunk", $"{chunks} chunks of tensor {Shape}", "a positive number of chunks");
        int d = Shape.Axis(dim, "chunk");
        int size = Shape.Dims[d];
        int step = Math.Max(1, (size + chunks - 1) / chunks);
        return Split(step, d);
    }

    /// <summary>Views of <paramref name="splitSize"/> elements each along <paramref name="dim"/> (the last may be smaller).</summary>
    public Tensor[] Split(int splitSize, int dim = 0)
    {
        int d = Shape.Axis(dim, "split");
        if (splitSize <= 0)
            throw new TensorShapeException("split", $"split size {splitSize} for tensor {Shape}", "a positive split size");
        int size = Shape.Dims[d];
        var parts = new List<Tensor>();
        for (int s = 0; s < size; s += splitSize) parts.Add(Narrow(d, s, Math.Min(splitSize, size - s)));
        if (size == 0) parts.Add(Narrow(d, 0, 0));
        return parts.ToArray();
    }

    /// <summary>Views of the given sizes along <paramref name="dim"/>; the sizes must add up to the dimension.</summary>
    public Tensor[] Split(int[] sizes, int dim)
    {
        int d = Shape.Axis(dim, "split");
        long total = 0;
        foreach (int s in sizes)
        {
            if (s < 0) throw new TensorShapeException("split", $"negative size {s} in [{string.Join(", ", sizes)}] for tensor {Shape}", "non-negative sizes");
            total += s;
        }
        if (total != Shape.Dims[d])
            throw new TensorShapeException("split", $"sizes [{string.Join(", ", sizes)}] add up to {total} but dimension {dim} of tensor {Shape} is {Shape.Dims[d]}", "sizes adding up to the dimension");
        var parts = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            parts[i] = Narrow(d, start, sizes[i]);
            start += sizes[i];
        }
        return parts;
    }

    /// <summary>This tensor when already contiguous, otherwise a contiguous copy (same dtype).</summary>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    /// <summary>A contiguous copy (same dtype), always new memory.</summary>
    public Tensor Clone()
    {
        using var profile = OpProfiler.Measure("copy");
        var result = Empty(Shape, DType);
        result.CopyFromUnchecked(this);
        if (Autograd.ShouldRecord(this)) Autograd.Record(result, "clone", Derivatives.Identity, this);
        GC.KeepAlive(this);
        return result;
    }

    /// <summary>
    /// A contiguous copy converted to <paramref name="dtype"/> (this tensor when the dtype already matches):
    /// float types round to nearest (even), float → integer truncates toward zero (NaN/∞ give an unspecified
    /// value), integers → float round to nearest, anything → Bool is value != 0. Gradients flow through casts
    /// between floating types (as float32).
    /// </summary>
    public Tensor Cast(DType dtype)
    {
        using var profile = OpProfiler.Measure("cast");
        if (dtype == DType) return this;
        var result = Empty(Shape, dtype);
        result.CopyFromUnchecked(this);
        if (dtype.IsFloating() && DType.IsFloating() && Autograd.ShouldRecord(this))
            Autograd.Record(result, "cast", Derivatives.Identity, this);
        GC.KeepAlive(this);
        return result;
    }

    /// <summary>
    /// This tensor as contiguous float32: itself when it already is, otherwise a widened/compacted copy. Not
    /// recorded: operations use it on their inputs and record their own node against the originals.
    /// </summary>
    internal Tensor AsF32Contiguous()
    {
        if (DType == DType.F32 && IsContiguous) return this;
        var result = Empty(Shape, DType.F32);
        result.CopyFromUnchecked(this);
        return result;
    }

    /// <summary>Copies <paramref name="source"/> (same shape, any dtype) into this tensor's elements; no autograd.</summary>
    internal void CopyFromUnchecked(Tensor source)
    {
        StridedCopy.Copy(Shape.Dims, source.Data, source._strides, source.DType, Data, _strides, DType);
        GC.KeepAlive(source);
    }

    private Tensor MakeView(Shape shape, long[] strides, long offset, string op, BackwardRule rule, int[]? ints = null)
    {
        var view = new Tensor(Storage, DType, shape, strides, offset);
        if (Autograd.ShouldRecord(this))
            Autograd.Record(view, op, rule, this).Ints = ints ?? [];
        return view;
    }

    private Shape InferShape(ReadOnlySpan<int> dims, string op)
    {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0)
                    throw new TensorShapeException(op, $"more than one -1 in [{string.Join(", ", dims.ToArray())}] for tensor {Shape}", "at most one inferred dimension");
                infer = i;
            }
            else if (dims[i] < 0)
            {
                throw new TensorShapeException(op, $"negative size {dims[i]} in [{string.Join(", ", dims.ToArray())}] for tensor {Shape}", "non-negative sizes or a single -1");
            }
            else
            {
                known *= dims[i];
            }
        }
        int[] result = dims.ToArray();
        long count = ElementCount;
        if (infer >= 0)
        {
            if (known == 0 || count % known != 0)
                throw new TensorShapeException(op, $"cannot infer the -1 in [{string.Join(", ", dims.ToArray())}] for tensor {Shape} ({count} elements)", "the other sizes to divide the element count");
            result[infer] = checked((int)(count / known));
        }
        else if (known != count)
        {
            throw new TensorShapeException(op, $"tensor {Shape} has {count} elements but [{string.Join(", ", dims.ToArray())}] has {known}", "the same element count");
        }
        return new Shape(result);
    }

    /// <summary>Strides that view this tensor's elements (in row-major order) as <paramref name="target"/>, or null when a copy is needed.</summary>
    private long[]? ViewStrides(Shape target)
    {
        if (IsContiguous || ElementCount == 0) return ContiguousStrides(target);
        var newStrides = new long[target.Rank];
        ReadOnlySpan<int> oldDims = Shape.Dims, newDims = target.Dims;
        // Group the old dimensions into runs that are contiguous among themselves; each run must be covered
        // exactly by consecutive new dimensions, which then get strides within the run.
        int v = target.Rank - 1;
        long chunkBase = _strides[Rank - 1];
        long oldCount = 1, newCount = 1;
        for (int o = Rank - 1; o >= 0; o--)
        {
            oldCount *= oldDims[o];
            bool runEnds = o == 0 || (oldDims[o - 1] != 1 && _strides[o - 1] != oldCount * chunkBase);
            if (!runEnds) continue;
            while (v >= 0 && (newCount < oldCount || newDims[v] == 1))
            {
                newStrides[v] = newCount * chunkBase;
                newCount *= newDims[v];
                v--;
            }
            if (newCount != oldCount) return null;
            if (o > 0)
            {
                chunkBase = _strides[o - 1];
                oldCount = 1;
                newCount = 1;
            }
        }
        return v == -1 ? newStrides : null;
    }
}
