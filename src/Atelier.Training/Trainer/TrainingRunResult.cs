namespace Atelier.Training.Trainer;

/// <summary>What a <see cref="TrainingRun"/> session did.</summary>
/// <param name="FirstStep">The step the session started at (0, or the checkpoint's).</param>
/// <param name="LastStep">Steps done when it ended.</param>
/// <param name="TotalSteps">The schedule's length.</param>
/// <param name="ExamplesSeen">Examples processed over all sessions.</param>
/// <param name="TrainingSeconds">Seconds spent in steps over all sessions.</param>
/// <param name="SessionWallTime">This session's wall time, checkpoints and evaluations included.</param>
/// <param name="SessionCpuTime">This process's CPU time during the session (all threads).</param>
/// <param name="LastLoss">The last step's loss.</param>
/// <param name="SmoothedLoss">The smoothed loss at the end.</param>
/// <param name="StopReason">Why the session ended.</param>
/// <param name="Evaluation">The last evaluation's numbers, if any.</param>
public sealed record TrainingRunResult(
    long FirstStep,
    long LastStep,
    long TotalSteps,
    long ExamplesSeen,
    double TrainingSeconds,
    TimeSpan SessionWallTime,
    TimeSpan SessionCpuTime,
    float LastLoss,
    float SmoothedLoss,
    string StopReason,
    IReadOnlyDictionary<string, double>? Evaluation);
