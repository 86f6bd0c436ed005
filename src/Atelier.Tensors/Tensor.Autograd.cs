namespace Atelier.Tensors;

public sealed partial class Tensor
{
    private bool _requiresGrad;

    /// <summary>The operation that produced this tensor, when it was recorded for autograd (null for leaves).</summary>
    internal GradNode? GradFn { get; set; }

    /// <summary>
    /// Whether gradients flow to this tensor. Settable on leaves (tensors not produced by a recorded operation)
    /// of a floating dtype; true for every result of a recorded operation.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad || GradFn is not null;
        set
        {
            if (GradFn is not null)
                throw new InvalidOperationException($"RequiresGrad: tensor {Shape} is the result of {GradFn.Op}; only leaves can be marked (use Detach() for a new leaf).");
            if (value && !DType.IsFloating())
                throw new TensorDTypeException("RequiresGrad", $"a {DType} tensor {Shape} cannot require grad", "a floating dtype (F32, F16, BF16)");
            _requiresGrad = value;
        }
    }

    /// <summary>True when not produced by a recorded operation.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>
    /// The accumulated gradient (float32, contiguous, same shape) of a leaf that requires grad, after
    /// <see cref="Backward"/>; null before. Never owned by a scope.
    /// </summary>
    public Tensor? Grad { get; internal set; }

    /// <summary>Marks this leaf as requiring grad and returns it (fluent form of <see cref="RequiresGrad"/>).</summary>
    public Tensor RequireGrad()
    {
        RequiresGrad = true;
        return this;
    }

    /// <summary>
    /// Back-propagates from this tensor: <paramref name="gradient"/> is d(loss)/d(this) (same shape), omitted for a
    /// one-element tensor (then 1). Gradients are added into <see cref="Grad"/> of every leaf that requires grad.
    /// </summary>
    public void Backward(Tensor? gradient = null) => Backprop.Run(this, gradient);

    /// <summary>Sets <see cref="Grad"/> to zeros (kept allocated) before the next accumulation.</summary>
    public unsafe void ZeroGrad()
    {
        if (Grad is { } grad)
        {
            System.Runtime.InteropServices.NativeMemory.Clear(grad.Data, (nuint)(grad.ElementCount * sizeof(float)));
            GC.KeepAlive(grad);
        }
    }

    /// <summary>A new leaf sharing this tensor's memory, cut from the graph (does not require grad).</summary>
    public Tensor Detach() => new(Storage, DType, Shape, _strides, Offset) { Name = Name };
}
