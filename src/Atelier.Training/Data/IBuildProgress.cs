namespace Atelier.Training.Data;

/// <summary>Where a data build reports what it is doing; the CLI draws progress bars, tests record or ignore it.</summary>
public interface IBuildProgress
{
    /// <summary>Starts a step of <paramref name="total"/> units; advance it from any thread.</summary>
    IProgressStep Begin(string description, int total);

    /// <summary>A line of information (tool installed, package downloaded…).</summary>
    void Info(string message);
}

/// <summary>A running step of a build.</summary>
public interface IProgressStep : IDisposable
{
    /// <summary>Thread-safe.</summary>
    void Advance(int units = 1);
}

/// <summary>Discards progress (tests, library callers).</summary>
public sealed class SilentProgress : IBuildProgress, IProgressStep
{
    public static SilentProgress Instance { get; } = new();

    public IProgressStep Begin(string description, int total) => this;

    public void Info(string message)
    {
    }

    public void Advance(int units = 1)
    {
    }

    public void Dispose()
    {
    }
}
