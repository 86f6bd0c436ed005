using System.Globalization;

namespace Atelier.Diffusion.Pipelines;

/// <summary>
/// A run was refused before it started because its working memory (<see cref="MemoryEstimate"/>) exceeds what the
/// machine has available. The message gives both numbers and what dominates.
/// </summary>
public sealed class GenerationTooLargeException : Exception
{
    public GenerationTooLargeException(int width, int height, long neededBytes, long availableBytes, string dominatedBy)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"Generating {width}x{height} needs about {GiB(neededBytes)} of working memory for {dominatedBy}, but only {GiB(availableBytes)} is available. Use a smaller size or batch."))
    {
        Width = width;
        Height = height;
        NeededBytes = neededBytes;
        AvailableBytes = availableBytes;
    }

    public int Width { get; }
    public int Height { get; }
    public long NeededBytes { get; }
    public long AvailableBytes { get; }

    private static string GiB(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GiB");
}
