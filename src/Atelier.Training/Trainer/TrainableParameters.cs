using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Training.Trainer;

/// <summary>
/// The parameters of a model being trained, by dotted name, in <see cref="Module.NamedParameters"/> order. Building
/// it makes every value an F32, contiguous, engine-owned leaf that requires grad (a memory-mapped or F16 value is
/// copied), so the optimizer can update it in place. Build it outside any <see cref="TensorScope"/>.
/// </summary>
public sealed class TrainableParameters
{
    private readonly KeyValuePair<string, Parameter>[] _items;

    public TrainableParameters(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.AssignParameterNames();
        _items = model.NamedParameters().ToArray();
        var missing = _items.Where(p => !p.Value.HasValue).Select(p => $"{p.Key} {p.Value.Shape}").ToArray();
        if (missing.Length > 0)
            throw new InvalidOperationException(
                $"{model.GetType().Name}: {missing.Length} parameter(s) have no value before training: {string.Join(", ", missing)}. "
                + "Initialise the model (Init.Default plus the model's own rules) or load weights first.");
        foreach (var (_, p) in _items)
            p.Value = AsTrainable(p.Value);
    }

    /// <summary>Name → parameter, in model order.</summary>
    public IReadOnlyList<KeyValuePair<string, Parameter>> Items => _items;

    public int Count => _items.Length;

    /// <summary>Total number of scalar weights.</summary>
    public long ElementCount => _items.Sum(p => p.Value.Shape.ElementCount);

    /// <summary>Clears every accumulated gradient (kept allocated).</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in _items)
            p.Value.ZeroGrad();
    }

    /// <summary>Names of the parameters that received no gradient in the last backward pass (a disconnected layer).</summary>
    public IReadOnlyList<string> WithoutGradient() =>
        _items.Where(p => p.Value.Value.Grad is null).Select(p => p.Key).ToArray();

    /// <summary>
    /// Replaces every value by a copy of <paramref name="source"/>[name] (checkpoint resume, EMA swap). Strict: the
    /// names and shapes must match exactly; all problems are reported together.
    /// </summary>
    public void Load(IReadOnlyDictionary<string, Tensor> source, string origin)
    {
        var problems = new List<string>();
        foreach (var (name, p) in _items)
        {
            if (!source.TryGetValue(name, out var t)) problems.Add($"missing {name} {p.Shape}");
            else if (t.Shape != p.Shape) problems.Add($"{name}: {origin} has {t.Shape}, model expects {p.Shape}");
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"{origin}: cannot load the trained parameters: {string.Join("; ", problems)}.");
        foreach (var (name, p) in _items)
            p.Value = AsTrainable(source[name], copy: true);
    }

    /// <summary>An engine-owned F32 contiguous copy of <paramref name="value"/> (a fresh leaf, no grad).</summary>
    internal static Tensor OwnedCopy(Tensor value)
    {
        using var noGrad = Autograd.NoGrad();
        return value.DType == DType.F32 ? value.Clone().Detach() : value.Cast(DType.F32).Contiguous().Detach();
    }

    private static Tensor AsTrainable(Tensor value, bool copy = false)
    {
        Tensor t = value;
        if (copy || t.DType != DType.F32 || t.IsExternal || !t.IsContiguous || !t.IsLeaf)
            t = OwnedCopy(t);
        t.RequiresGrad = true;
        return t;
    }
}
