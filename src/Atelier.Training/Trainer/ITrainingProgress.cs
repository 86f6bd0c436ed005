namespace Atelier.Training.Trainer;

/// <summary>Where a <see cref="TrainingRun"/> reports: a progress bar in a terminal, plain lines in a log file.</summary>
public interface ITrainingProgress
{
    /// <summary>The session starts at <paramref name="firstStep"/> of <paramref name="totalSteps"/>.</summary>
    void Start(long firstStep, long totalSteps);

    /// <summary>After every step.</summary>
    void Report(TrainingProgressReport report);

    /// <summary>A notable event (checkpoint written, evaluation result, resume).</summary>
    void Info(string message);
}
