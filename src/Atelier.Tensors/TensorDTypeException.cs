namespace Atelier.Tensors;

/// <summary>
/// A tensor argument has an element type the operation does not accept (e.g. an I64 tensor passed to
/// <c>exp</c>). The message names the operation, the offending dtype and the accepted ones.
/// </summary>
public sealed class TensorDTypeException : ArgumentException
{
    public TensorDTypeException(string op, string problem, string expected)
        : base($"{op}: {problem}; expected {expected}")
    {
        Op = op;
    }

    /// <summary>The operation that refused its arguments.</summary>
    public string Op { get; }
}
