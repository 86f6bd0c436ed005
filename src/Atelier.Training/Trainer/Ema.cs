using Atelier.Tensors;

namespace Atelier.Training.Trainer;

/// <summary>
/// Exponential moving average of the parameters, the weights used for sampling and shipping:
/// <c>θ̄ ← θ̄ + (1 − d)(θ − θ̄)</c> after every optimizer step, with the effective decay
/// <c>d = min(decay, (1 + n)/(10 + n))</c> over the first updates n (the warm-up of TensorFlow's
/// ExponentialMovingAverage with num_updates, also used by the latent-diffusion code), so early averages are not
/// dominated by the random initial weights.
/// </summary>
public sealed class Ema
{
    private readonly TrainableParameters _parameters;
    private readonly Tensor[] _shadow;

    public Ema(TrainableParameters parameters, float decay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(decay >= 0 && decay < 1))
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "EMA decay must be in [0, 1).");
        _parameters = parameters;
        Decay = decay;
        _shadow = parameters.Items.Select(p => TrainableParameters.OwnedCopy(p.Value.Value)).ToArray();
    }

    /// <summary>The target decay (e.g. 0.999).</summary>
    public float Decay { get; }

    /// <summary>Number of <see cref="Update"/> calls so far.</summary>
    public long Updates { get; private set; }

    /// <summary>The decay the next update will use.</summary>
    public float CurrentDecay => (float)Math.Min(Decay, (1.0 + Updates) / (10.0 + Updates));

    /// <summary>Moves the average towards the current parameters.</summary>
    public void Update()
    {
        float weight = 1 - CurrentDecay;
        using var noGrad = Autograd.NoGrad();
        for (int i = 0; i < _shadow.Length; i++)
        {
            using var scope = TensorScope.Begin();
            Tensor theta = _parameters.Items[i].Value.Value;
            Ops.AddInPlace(_shadow[i], (theta - _shadow[i]) * weight);
        }
        Updates++;
    }

    /// <summary>The averaged weights by parameter name (live tensors: copy them to keep a snapshot).</summary>
    public IReadOnlyDictionary<string, Tensor> Weights()
    {
        var result = new Dictionary<string, Tensor>(_shadow.Length, StringComparer.Ordinal);
        for (int i = 0; i < _shadow.Length; i++)
            result[_parameters.Items[i].Key] = _shadow[i];
        return result;
    }

    /// <summary>Restores averaged weights (copied) and the update count, e.g. from a checkpoint.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> weights, long updates, string origin)
    {
        var problems = new List<string>();
        for (int i = 0; i < _shadow.Length; i++)
        {
            string name = _parameters.Items[i].Key;
            if (!weights.TryGetValue(name, out var t)) problems.Add($"missing {name}");
            else if (t.Shape != _shadow[i].Shape) problems.Add($"{name}: {origin} has {t.Shape}, expected {_shadow[i].Shape}");
        }
        if (updates < 0) problems.Add($"update count {updates} is negative");
        if (problems.Count > 0)
            throw new InvalidDataException($"{origin}: cannot restore the EMA weights: {string.Join("; ", problems)}.");
        for (int i = 0; i < _shadow.Length; i++)
            _shadow[i] = TrainableParameters.OwnedCopy(weights[_parameters.Items[i].Key]);
        Updates = updates;
    }
}
