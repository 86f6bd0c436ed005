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
/// <param name="Only">Model suites: run only the cases whose label contains every comma-separated word (<c>--only f32,64x64</c>), e.g. to profile one case.</param>
/// <param name="Profile">Model suites: after timing, run one more forward with <see cref="Atelier.Tensors.OpProfiler"/> on and print the time per op kind (<c>--profile</c>).</param>
/// <param name="ProfileByShape">With <see cref="Profile"/>: conv2d, linear and attention rows split by shape (<c>--profile-shapes</c>).</param>
public sealed record BenchOptions(int Threads, bool Quick, string Arch = "sd15", string? Only = null, bool Profile = false, bool ProfileByShape = false)
{
    /// <summary>True when <see cref="Only"/> is unset or every one of its words occurs in <paramref name="label"/> (case-insensitive).</summary>
    public bool Selects(string label) =>
        Only is null || Only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(w => label.Contains(w, StringComparison.OrdinalIgnoreCase));
}
