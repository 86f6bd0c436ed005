namespace Atelier.Training.Trainer;

/// <summary>The scalar state of a training run stored in a checkpoint's metadata.</summary>
/// <param name="Step">Optimizer steps taken (the next step to take).</param>
/// <param name="Data">Position of the data order (the next batch).</param>
/// <param name="TotalSteps">The schedule's length when the checkpoint was written.</param>
/// <param name="TrainingSeconds">Wall-clock seconds spent in training steps over all sessions.</param>
/// <param name="ImagesSeen">Training examples processed over all sessions.</param>
/// <param name="Extra">The run's own metadata (model kind, config JSON, command line …).</param>
public sealed record TrainingCheckpointInfo(
    long Step,
    DataOrderPosition Data,
    long TotalSteps,
    double TrainingSeconds,
    long ImagesSeen,
    IReadOnlyDictionary<string, string> Extra);
