namespace Atelier.Training.Trainer;

/// <summary>
/// Linear warm-up followed by a cosine decay (Loshchilov &amp; Hutter 2017, SGDR, without restarts; the schedule of
/// CLIP and most diffusion trainers): for step s (0-based, the step about to be taken)
/// <code>
/// s &lt; W:        η = η_max · (s + 1) / W
/// W ≤ s &lt; T:    η = η_min + ½(η_max − η_min)(1 + cos(π (s − W) / (T − W)))
/// s ≥ T:        η = η_min
/// </code>
/// </summary>
/// <param name="PeakLearningRate">η_max, reached at the end of the warm-up.</param>
/// <param name="WarmupSteps">W (0: start at the peak).</param>
/// <param name="TotalSteps">T, the step at which the cosine reaches η_min.</param>
/// <param name="FinalLearningRate">η_min.</param>
public sealed record LearningRateSchedule(float PeakLearningRate, long WarmupSteps, long TotalSteps, float FinalLearningRate = 0f)
{
    /// <summary>The learning rate for step <paramref name="step"/>.</summary>
    public float At(long step)
    {
        Validate();
        if (step < 0)
            throw new ArgumentOutOfRangeException(nameof(step), step, "learning-rate schedule: the step must be zero or positive.");
        if (step < WarmupSteps)
            return (float)((double)PeakLearningRate * (step + 1) / WarmupSteps);
        if (step >= TotalSteps)
            return FinalLearningRate;
        double progress = (double)(step - WarmupSteps) / (TotalSteps - WarmupSteps);
        return (float)(FinalLearningRate + 0.5 * (PeakLearningRate - FinalLearningRate) * (1 + Math.Cos(Math.PI * progress)));
    }

    private void Validate()
    {
        if (!(PeakLearningRate >= 0) || !float.IsFinite(PeakLearningRate))
            throw new ArgumentOutOfRangeException(nameof(PeakLearningRate), PeakLearningRate, "learning-rate schedule: the peak must be finite and non-negative.");
        if (!(FinalLearningRate >= 0) || FinalLearningRate > PeakLearningRate)
            throw new ArgumentOutOfRangeException(nameof(FinalLearningRate), FinalLearningRate, $"learning-rate schedule: the final rate must be in [0, peak {PeakLearningRate}].");
        if (WarmupSteps < 0 || TotalSteps < WarmupSteps)
            throw new ArgumentOutOfRangeException(nameof(TotalSteps), TotalSteps, $"learning-rate schedule: need 0 ≤ warm-up ({WarmupSteps}) ≤ total steps ({TotalSteps}).");
    }
}
