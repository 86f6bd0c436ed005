namespace Atelier.Training.Trainer;

/// <summary>Where a <see cref="EpochBatchSampler"/> is: the epoch and the offset of the next batch in that epoch's order.</summary>
public readonly record struct DataOrderPosition(long Epoch, int Offset);
