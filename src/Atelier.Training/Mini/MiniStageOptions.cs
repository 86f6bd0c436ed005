namespace Atelier.Training.Mini;

/// <summary>The settings every stage of atelier-mini's training shares (the CLI's <c>atelier train prior|decoder|upsampler</c> options).</summary>
public sealed record MiniStageOptions
{
    /// <summary>Run folder (checkpoint, log, loss plot, exported weights).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Steps of the learning-rate schedule (the run's length).</summary>
    public required long Steps { get; init; }

    public int BatchSize { get; init; } = 32;

    public float LearningRate { get; init; } = 1e-3f;

    public long WarmupSteps { get; init; } = 100;

    public float WeightDecay { get; init; } = 0.01f;

    public float EmaDecay { get; init; } = 0.999f;

    public ulong Seed { get; init; } = 1;

    public bool Resume { get; init; }

    /// <summary>This session's wall-time budget (null: none).</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>This session's step limit (null: none).</summary>
    public long? StepLimit { get; init; }

    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(5);
}
