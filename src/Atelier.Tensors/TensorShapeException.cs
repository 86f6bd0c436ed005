namespace Atelier.Tensors;

/// <summary>
/// A tensor argument has the wrong shape, rank, axis or index for an operation. The message names the operation,
/// the shapes involved and what was expected, e.g.
/// <c>matmul: inner dimensions differ: [2, 3] @ [4, 5]; expected a.shape[-1] == b.shape[-2]</c>.
/// Thrown before any memory is touched.
/// </summary>
public sealed class TensorShapeException : ArgumentException
{
    public TensorShapeException(string op, string problem, string expected)
        : base($"{op}: {problem}; expected {expected}")
    {
        Op = op;
    }

    /// <summary>The operation that refused its arguments (e.g. "matmul").</summary>
    public string Op { get; }
}
