using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Training.Trainer;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization",
/// Algorithm 2), step for step as torch.optim.AdamW (single-tensor path) computes it, for each parameter θ with
/// gradient g at step t:
/// <code>
/// θ ← θ − η·λ·θ                       (decayed parameters only)
/// m ← m + (1 − β₁)(g − m)             (torch: exp_avg.lerp_(g, 1 − β₁))
/// v ← β₂·v + (1 − β₂)·g²
/// θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// The moments are F32 tensors beside each parameter; the update is in place, through the engine's elementwise
/// ops inside a <see cref="TensorScope"/>. Parameters without a gradient are skipped (their moments and t do not
/// advance for them either, as in torch).
/// </summary>
public sealed class AdamW
{
    private readonly TrainableParameters _parameters;
    private readonly bool[] _decay;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly long[] _steps;

    /// <param name="parameters">What to optimise.</param>
    /// <param name="options">β₁, β₂, ε, λ.</param>
    /// <param name="decayed">Parameters that get weight decay (default: none; use <see cref="WeightDecayPolicy"/>).</param>
    public AdamW(TrainableParameters parameters, AdamWOptions options, IReadOnlySet<Parameter>? decayed = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _parameters = parameters;
        Options = options;
        int n = parameters.Count;
        _decay = new bool[n];
        _expAvg = new Tensor[n];
        _expAvgSq = new Tensor[n];
        _steps = new long[n];
        for (int i = 0; i < n; i++)
        {
            Parameter p = parameters.Items[i].Value;
            _decay[i] = decayed?.Contains(p) == true;
            _expAvg[i] = Tensor.Zeros(p.Shape);
            _expAvgSq[i] = Tensor.Zeros(p.Shape);
        }
    }

    public AdamWOptions Options { get; }

    /// <summary>Whether parameter <paramref name="name"/> is weight-decayed.</summary>
    public bool IsDecayed(string name) => _decay[IndexOf(name)];

    /// <summary>
    /// Applies one update with learning rate η = <paramref name="learningRate"/> to every parameter that has a
    /// gradient; the gradients are multiplied by <paramref name="gradientScale"/> first (gradient clipping).
    /// </summary>
    public void Step(float learningRate, float gradientScale = 1f)
    {
        if (!float.IsFinite(learningRate) || learningRate < 0)
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "AdamW: the learning rate must be finite and non-negative.");
        if (!float.IsFinite(gradientScale))
            throw new ArgumentOutOfRangeException(nameof(gradientScale), gradientScale, "AdamW: the gradient scale must be finite.");
        float beta1 = Options.Beta1, beta2 = Options.Beta2;
        using var noGrad = Autograd.NoGrad();
        for (int i = 0; i < _parameters.Count; i++)
        {
            Tensor theta = _parameters.Items[i].Value.Value;
            if (theta.Grad is not { } grad) continue;
            using var scope = TensorScope.Begin();
            long t = ++_steps[i];
            Tensor g = gradientScale == 1f ? grad : grad * gradientScale;
            Tensor m = _expAvg[i], v = _expAvgSq[i];

            if (_decay[i] && Options.WeightDecay != 0)
                Ops.AddInPlace(theta, theta * (-learningRate * Options.WeightDecay));
            Ops.AddInPlace(m, (g - m) * (1 - beta1));
            Ops.AddInPlace(v, v * (beta2 - 1) + g.Square() * (1 - beta2));

            double biasCorrection1 = 1 - Math.Pow(beta1, t);
            double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, t));
            Tensor denominator = v.Sqrt() / (float)biasCorrection2Sqrt + Options.Epsilon;
            Ops.AddInPlace(theta, m / denominator * (float)(-learningRate / biasCorrection1));
        }
    }

    /// <summary>Clears every parameter's gradient (call after <see cref="Step"/>).</summary>
    public void ZeroGrad() => _parameters.ZeroGrad();

    /// <summary>The optimizer state to checkpoint: moments by <c>exp_avg.{name}</c> / <c>exp_avg_sq.{name}</c> and the per-parameter step counts.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateTensors()
    {
        for (int i = 0; i < _parameters.Count; i++)
        {
            string name = _parameters.Items[i].Key;
            yield return new("exp_avg." + name, _expAvg[i]);
            yield return new("exp_avg_sq." + name, _expAvgSq[i]);
        }
        yield return new("step", Tensor.FromArray(_steps, [_steps.Length]));
    }

    /// <summary>Restores the state written by <see cref="StateTensors"/> (copied; names and shapes must match).</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, string origin)
    {
        var problems = new List<string>();
        for (int i = 0; i < _parameters.Count; i++)
        {
            string name = _parameters.Items[i].Key;
            foreach (string key in new[] { "exp_avg." + name, "exp_avg_sq." + name })
            {
                if (!state.TryGetValue(key, out var t)) problems.Add($"missing {key}");
                else if (t.Shape != _expAvg[i].Shape) problems.Add($"{key}: {origin} has {t.Shape}, expected {_expAvg[i].Shape}");
            }
        }
        if (!state.TryGetValue("step", out var steps) || steps.Shape != new Shape(_steps.Length) || steps.DType != DType.I64)
            problems.Add($"'step' must be I64 [{_steps.Length}]");
        if (problems.Count > 0)
            throw new InvalidDataException($"{origin}: cannot restore the AdamW state: {string.Join("; ", problems)}.");
        for (int i = 0; i < _parameters.Count; i++)
        {
            string name = _parameters.Items[i].Key;
            _expAvg[i] = TrainableParameters.OwnedCopy(state["exp_avg." + name]);
            _expAvgSq[i] = TrainableParameters.OwnedCopy(state["exp_avg_sq." + name]);
        }
        steps!.ToArray<long>().CopyTo(_steps, 0);
    }

    private int IndexOf(string name)
    {
        for (int i = 0; i < _parameters.Count; i++)
            if (_parameters.Items[i].Key == name) return i;
        throw new KeyNotFoundException($"AdamW: no parameter named '{name}'.");
    }
}
