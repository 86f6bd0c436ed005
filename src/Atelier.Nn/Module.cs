using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// A building block of a network. Children and parameters are registered under their checkpoint key names
/// (<c>"in_layers.0"</c>, <c>"weight"</c>), in forward order, so a module's dotted parameter paths are exactly the
/// keys of a diffusers/transformers state dict and a reader can grep the checkpoint for them.
/// </summary>
/// <remarks>
/// Each concrete module shows its layers in a plain <c>Forward</c> method; there is no reflection-driven
/// registration and no hidden hooks.
/// </remarks>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Module>> _children = [];
    private readonly List<KeyValuePair<string, Parameter>> _parameters = [];

    /// <summary>Registers <paramref name="child"/> under <paramref name="name"/> and returns it.</summary>
    protected T Add<T>(string name, T child) where T : Module
    {
        ArgumentNullException.ThrowIfNull(child);
        CheckFreeName(name);
        _children.Add(new(name, child));
        return child;
    }

    /// <summary>Registers a parameter of <paramref name="shape"/> under <paramref name="name"/> and returns it.</summary>
    protected Parameter AddParameter(string name, Shape shape)
    {
        CheckFreeName(name);
        var p = new Parameter(shape) { Name = name };
        _parameters.Add(new(name, p));
        return p;
    }

    /// <summary>Direct children in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Module>> Children => _children;

    /// <summary>Every parameter with its dotted path (e.g. <c>down_blocks.0.resnets.1.conv1.weight</c>), depth first in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Parameter>> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters)
            yield return new(prefix + name, p);
        foreach (var (name, child) in _children)
            foreach (var pair in child.NamedParameters(prefix + name + "."))
                yield return pair;
    }

    /// <summary>Every parameter, in the order of <see cref="NamedParameters"/>.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>Total number of scalar weights.</summary>
    public long ParameterCount => Parameters().Sum(p => p.Shape.ElementCount);

    /// <summary>Gives every parameter its full dotted path as <see cref="Parameter.Name"/> (for error messages).</summary>
    public void AssignParameterNames(string prefix = "")
    {
        foreach (var (name, p) in NamedParameters(prefix))
            p.Name = name;
    }

    /// <summary>
    /// Assigns weights by dotted name. Strict: every parameter must be present with its exact shape, and every
    /// source name must belong to the model unless <paramref name="ignore"/> says to skip it; all problems are
    /// collected and reported together in one <see cref="WeightLoadException"/> naming each tensor. Tensors are
    /// taken as they are (no copy): a memory-mapped F16 weight stays F16.
    /// </summary>
    /// <param name="source">Tensors by name (e.g. one component of a checkpoint, already in diffusers naming).</param>
    /// <param name="origin">Where the weights come from (file or folder), for messages.</param>
    /// <param name="ignore">Source names that may be absent from the model (e.g. <c>position_ids</c> buffers).</param>
    /// <returns>The source names that were ignored.</returns>
    public IReadOnlyList<string> LoadWeights(IReadOnlyDictionary<string, Tensor> source, string origin, Func<string, bool>? ignore = null)
    {
        AssignParameterNames();
        var report = new WeightLoadReport(origin, GetType().Name);
        var expected = new HashSet<string>();
        foreach (var (name, p) in NamedParameters())
        {
            expected.Add(name);
            if (!source.TryGetValue(name, out var tensor)) { report.Missing.Add($"{name} {p.Shape}"); continue; }
            if (tensor.Shape != p.Shape) { report.Mismatched.Add($"{name}: file has {tensor.Shape}, model expects {p.Shape}"); continue; }
            if (!tensor.DType.IsFloating()) { report.Mismatched.Add($"{name}: file has dtype {tensor.DType}, model expects F32, F16 or BF16"); continue; }
        }
        var ignored = new List<string>();
        foreach (string name in source.Keys)
        {
            if (expected.Contains(name)) continue;
            if (ignore is not null && ignore(name)) ignored.Add(name);
            else report.Unexpected.Add($"{name} {source[name].Shape}");
        }
        report.ThrowIfAny();
        foreach (var (name, p) in NamedParameters())
            p.Value = source[name];
        return ignored;
    }

    private void CheckFreeName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains(' '))
            throw new ArgumentException($"{GetType().Name}: invalid child/parameter name '{name}'.", nameof(name));
        if (_children.Any(c => c.Key == name) || _parameters.Any(p => p.Key == name))
            throw new ArgumentException($"{GetType().Name}: '{name}' is registered twice.", nameof(name));
    }
}
