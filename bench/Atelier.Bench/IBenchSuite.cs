namespace Atelier.Bench;

/// <summary>A group of benchmarks selectable by name on the command line (one suite per file under Suites/).</summary>
public interface IBenchSuite
{
    string Name { get; }
    string Description { get; }
    IEnumerable<BenchRow> Run(BenchOptions options);
}

/// <summary>Options common to all suites.</summary>
/// <param name="Threads">Worker threads the engine may use.</param>
/// <param name="Quick">Fewer repetitions (smoke run).</param>
public sealed record BenchOptions(int Threads, bool Quick);
