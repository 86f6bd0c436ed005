using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// A learnable tensor slot of a <see cref="Module"/>: its shape is fixed when the module is built, its value
/// arrives later, either from a checkpoint (<see cref="Module.LoadWeights"/>: memory-mapped, kept in the file's
/// dtype, F16/BF16 included) or from an initialiser (training). Reading <see cref="Value"/> before either throws.
/// </summary>
public sealed class Parameter
{
    private Tensor? _value;

    public Parameter(Shape shape) => Shape = shape;

    /// <summary>The shape every value must have.</summary>
    public Shape Shape { get; }

    /// <summary>The dotted path of this parameter in its model (set when the model is named; used in messages).</summary>
    public string Name { get; internal set; } = "<unnamed>";

    public bool HasValue => _value is not null;

    /// <summary>The current value. Setting checks the shape (a floating dtype of any width is accepted).</summary>
    public Tensor Value
    {
        get => _value ?? throw new InvalidOperationException(
            $"parameter '{Name}' {Shape} has no value: load a checkpoint (Module.LoadWeights) or initialise the model before running it.");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Shape != Shape)
                throw new TensorShapeException("parameter", $"'{Name}' was given a tensor of shape {value.Shape}", $"shape {Shape}");
            if (!value.DType.IsFloating())
                throw new TensorDTypeException("parameter", $"'{Name}' was given a {value.DType} tensor", "F32, F16 or BF16");
            _value = value;
        }
    }

    public override string ToString() => $"Parameter '{Name}' {Shape}{(_value is null ? " (no value)" : $" {_value.DType}")}";
}
