namespace Atelier.Training.Trainer;

/// <summary>The state of a run after a step, for progress display.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="TotalSteps">The schedule's length.</param>
/// <param name="Loss">This step's loss.</param>
/// <param name="SmoothedLoss">Exponential moving average of the loss (time constant ~20 steps).</param>
/// <param name="LearningRate">The learning rate used by this step.</param>
/// <param name="ExamplesPerSecond">Throughput over the recent steps.</param>
/// <param name="Eta">Estimated time until the session ends (schedule end, step limit or time budget).</param>
public sealed record TrainingProgressReport(
    long Step,
    long TotalSteps,
    float Loss,
    float SmoothedLoss,
    float LearningRate,
    double ExamplesPerSecond,
    TimeSpan Eta);
