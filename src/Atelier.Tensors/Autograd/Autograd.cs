namespace Atelier.Tensors;

/// <summary>
/// Reverse-mode automatic differentiation switches. An operation records a <see cref="GradNode"/> only when
/// gradients are enabled and at least one input requires grad: in inference nothing is recorded — no node, no
/// closure, no saved tensor (the check is a field read per input). Rules live in Autograd/Derivatives.cs; the
/// backward pass in Autograd/Backprop.cs.
/// </summary>
public static class Autograd
{
    private static readonly AsyncLocal<int> s_noGradDepth = new();

    /// <summary>False inside <see cref="NoGrad"/> (and during a backward pass).</summary>
    public static bool IsEnabled => s_noGradDepth.Value == 0;

    /// <summary>Disables recording until the returned value is disposed: <c>using (Autograd.NoGrad()) { … }</c>.</summary>
    public static NoGradScope NoGrad()
    {
        s_noGradDepth.Value++;
        return new NoGradScope(true);
    }

    /// <summary>
    /// Pauses recording only when <paramref name="pause"/> (an op that composes other ops and records one node of
    /// its own passes "an input requires grad"), so inference never touches the async-local state.
    /// </summary>
    internal static NoGradScope PauseIf(bool pause) => pause ? NoGrad() : default;

    /// <summary>Ends a <see cref="NoGrad"/> region.</summary>
    public readonly struct NoGradScope(bool active) : IDisposable
    {
        public void Dispose()
        {
            if (active) s_noGradDepth.Value--;
        }
    }

    internal static bool ShouldRecord(Tensor a) => a.RequiresGrad && IsEnabled;

    internal static bool ShouldRecord(Tensor a, Tensor? b) => (a.RequiresGrad || (b is not null && b.RequiresGrad)) && IsEnabled;

    internal static bool ShouldRecord(Tensor a, Tensor? b, Tensor? c) =>
        (a.RequiresGrad || (b is not null && b.RequiresGrad) || (c is not null && c.RequiresGrad)) && IsEnabled;

    internal static bool ShouldRecord(IReadOnlyList<Tensor> inputs)
    {
        for (int i = 0; i < inputs.Count; i++)
            if (inputs[i].RequiresGrad) return IsEnabled;
        return false;
    }

    /// <summary>Makes <paramref name="output"/> the result of a recorded operation; returns the node so the caller can save what the rule needs.</summary>
    internal static GradNode Record(Tensor output, string op, BackwardRule rule, params Tensor?[] inputs)
    {
        var node = new GradNode(op, rule, inputs, output.Shape);
        output.GradFn = node;
        return node;
    }
}
