namespace Atelier.Training.Trainer;

/// <summary>How <see cref="EpochBatchSampler"/> shapes each epoch.</summary>
public sealed record EpochSamplingOptions
{
    /// <summary>A key per item; items with the same key contribute at most <see cref="MaxPerGroup"/> per epoch (null: no grouping).</summary>
    public IReadOnlyList<string>? Groups { get; init; }

    /// <summary>How many members of one group an epoch takes (chosen at random each epoch).</summary>
    public int MaxPerGroup { get; init; } = int.MaxValue;

    /// <summary>A source name per item; every batch then mixes the sources in proportion (null: a plain shuffle).</summary>
    public IReadOnlyList<string>? Sources { get; init; }
}
