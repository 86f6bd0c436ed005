using Atelier.Tensors;

namespace Atelier.Training.Trainer;

/// <summary>What the loss function of one step gets from <see cref="TrainingRun"/>.</summary>
public sealed class TrainingStepContext
{
    private readonly IReadOnlyList<string> _metricNames;
    private readonly float[] _metrics;

    internal TrainingStepContext(long step, long epoch, int[] batch, TorchGenerator generator, IReadOnlyList<string> metricNames)
    {
        Step = step;
        Epoch = epoch;
        Batch = batch;
        Generator = generator;
        _metricNames = metricNames;
        _metrics = new float[metricNames.Count];
        Array.Fill(_metrics, float.NaN);
    }

    /// <summary>The step being taken (0-based).</summary>
    public long Step { get; }

    /// <summary>The epoch the batch comes from.</summary>
    public long Epoch { get; }

    /// <summary>The data-set indices of this step's examples (from the run's <see cref="EpochBatchSampler"/>).</summary>
    public int[] Batch { get; }

    /// <summary>
    /// The run's generator, for augmentation, noise and dropout. It is checkpointed: draw from it in the same order
    /// every step and a resumed run continues bit for bit.
    /// </summary>
    public TorchGenerator Generator { get; }

    /// <summary>Reports an extra value of this step (declared in <see cref="TrainingRunOptions.MetricNames"/>).</summary>
    public void Metric(string name, float value)
    {
        for (int i = 0; i < _metricNames.Count; i++)
        {
            if (_metricNames[i] != name) continue;
            _metrics[i] = value;
            return;
        }
        throw new ArgumentException($"training step: metric '{name}' is not declared in TrainingRunOptions.MetricNames ({string.Join(", ", _metricNames)}).", nameof(name));
    }

    internal IReadOnlyList<float> Metrics => _metrics;
}
