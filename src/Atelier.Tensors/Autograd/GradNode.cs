namespace Atelier.Tensors;

/// <summary>Input gradients (one per input, null where not needed) from the gradient of a node's output.</summary>
internal delegate Tensor?[] BackwardRule(GradNode node, Tensor gradOutput);

/// <summary>
/// One recorded operation: its inputs (the graph edges), the rule that maps the output gradient to input
/// gradients, and whatever the rule needs (saved tensors, integer and float parameters).
/// </summary>
internal sealed class GradNode(string op, BackwardRule rule, Tensor?[] inputs, Shape outputShape)
{
    public string Op { get; } = op;

    public BackwardRule Rule { get; } = rule;

    public Tensor?[] Inputs { get; } = inputs;

    public Shape OutputShape { get; } = outputShape;

    public Tensor?[] Saved { get; set; } = [];

    public int[] Ints { get; set; } = [];

    public float[] Floats { get; set; } = [];

    /// <summary>True when input <paramref name="i"/> wants a gradient (so rules can skip the others).</summary>
    public bool NeedsGrad(int i) => Inputs[i] is { RequiresGrad: true };

    /// <summary>Input <paramref name="i"/> (non-null by construction of the rule's op).</summary>
    public Tensor In(int i) => Inputs[i] ?? throw new InvalidOperationException($"autograd: {Op} has no input {i}.");
}
