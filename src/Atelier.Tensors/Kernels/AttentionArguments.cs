namespace Atelier.Tensors.Kernels;

/// <summary>
/// Argument checks shared by the attention entry points. Every message names the operation, the operand and
/// the shape, so a caller can tell which tensor was wrong and what was expected.
/// </summary>
internal static unsafe class AttentionArguments
{
    public static void CheckSizes(string op, int batch, int heads, int nq, int nk, int dim)
    {
        CheckSize(op, nameof(batch), batch, batch, heads, nq, nk, dim);
        CheckSize(op, nameof(heads), heads, batch, heads, nq, nk, dim);
        CheckSize(op, nameof(nq), nq, batch, heads, nq, nk, dim);
        CheckSize(op, nameof(nk), nk, batch, heads, nq, nk, dim);
        CheckSize(op, nameof(dim), dim, batch, heads, nq, nk, dim);
    }

    public static void CheckScale(string op, float scale)
    {
        if (!float.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"{op}: scale must be finite (got {scale}).");
    }

    /// <summary>
    /// Checks one [B, H, rows, D] operand: a non-null pointer when it holds elements, non-negative strides, and for
    /// outputs a layout in which distinct elements have distinct addresses (otherwise tasks would race).
    /// </summary>
    public static void CheckOperand(string op, string name, string paramName, void* data, in AttentionLayout layout,
        int batch, int heads, int rows, int dim, bool output)
    {
        string shape = $"[{batch}, {heads}, {rows}, {dim}]";
        long count = (long)batch * heads * rows * dim;
        if (count == 0) return;
        if (data is null)
            throw new ArgumentNullException(paramName, $"{op}: {name} is null but must hold {shape} floats.");
        if (layout.BatchStride < 0 || layout.HeadStride < 0 || layout.RowStride < 0)
            throw new ArgumentException($"{op}: {name} {shape} has a negative stride in {layout}; strides must be >= 0.", paramName);
        if (output && !IsInjective(layout, batch, heads, rows, dim))
            throw new ArgumentException(
                $"{op}: output {name} {shape} with {layout} maps distinct elements to the same address; an output needs disjoint rows (e.g. RowStride >= D).",
                paramName);
    }

    /// <summary>The number of parallel tasks as an int, or a clear error when the problem is too large to split.</summary>
    public static int TaskCount(string op, long tasks, string what)
    {
        if (tasks > int.MaxValue)
            throw new ArgumentException($"{op}: {tasks} {what} exceed the {int.MaxValue} tasks one call can run; split the batch.");
        return (int)tasks;
    }

    private static void CheckSize(string op, string name, int value, int batch, int heads, int nq, int nk, int dim)
    {
        if (value < 0)
            throw new ArgumentOutOfRangeException(name, value,
                $"{op}: {name} must be >= 0 (got {value}); Q is [B, H, Nq, D] = [{batch}, {heads}, {nq}, {dim}], K and V are [{batch}, {heads}, {nk}, {dim}].");
    }

    // Sufficient condition: ordered by stride, every dimension's stride exceeds the span of the smaller ones.
    private static bool IsInjective(in AttentionLayout layout, int batch, int heads, int rows, int dim)
    {
        Span<(long Stride, int Size)> dims = [(1, dim), (layout.RowStride, rows), (layout.HeadStride, heads), (layout.BatchStride, batch)];
        dims.Sort((x, y) => x.Stride.CompareTo(y.Stride));
        long span = 0;
        foreach (var (stride, size) in dims)
        {
            if (size <= 1) continue;
            if (stride <= span) return false;
            span += (size - 1) * stride;
        }
        return true;
    }
}
