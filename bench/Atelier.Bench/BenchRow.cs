namespace Atelier.Bench;

/// <summary>One measured line of a benchmark table.</summary>
/// <param name="Kernel">What ran, e.g. "sgemm" or "openblas sgemm".</param>
/// <param name="Shape">The problem, e.g. "M=4096 K=2880 N=320".</param>
/// <param name="Flops">Floating-point operations of one run (an FMA counts 2), or 0 when not a FLOP-bound kernel.</param>
/// <param name="Seconds">Best (minimum) wall time of one run.</param>
/// <param name="Note">Anything else worth a column: workspace bytes, error against a reference, bytes/s.</param>
public sealed record BenchRow(string Kernel, string Shape, double Flops, double Seconds, string? Note = null);
