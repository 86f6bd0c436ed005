namespace Atelier.Training.Trainer;

/// <summary>How a <see cref="TrainingRun"/> session runs: where it writes, when it stops, how often it saves.</summary>
public sealed record TrainingRunOptions
{
    /// <summary>The run folder: <c>checkpoint.safetensors</c>, <c>log.tsv</c>, <c>loss.png</c>, <c>eval.tsv</c>.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Continue from the folder's checkpoint when there is one (otherwise start fresh). Without it, an existing checkpoint is an error.</summary>
    public bool Resume { get; init; }

    /// <summary>Stop this session after this many steps (the schedule's end still ends it earlier).</summary>
    public long? StepLimit { get; init; }

    /// <summary>Stop this session after this much wall time (checked between steps).</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Write a checkpoint (and evaluate, and redraw the loss plot) at least this often.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Global gradient-norm bound (∞: no clipping).</summary>
    public float MaxGradientNorm { get; init; } = 1f;

    /// <summary>Names of the extra per-step values the loss function reports (<see cref="TrainingStepContext.Metric"/>), logged as columns.</summary>
    public IReadOnlyList<string> MetricNames { get; init; } = [];

    /// <summary>Run metadata stored in every checkpoint (model kind, config JSON, …).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
