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
/// <param name="Arch">Model architecture for model suites (<c>--arch</c>, e.g. sd15).</param>
public sealed record BenchOptions(int Threads, bool Quick, string Arch = "sd15");
