namespace Atelier.Bench;

/// <summary>Measures the machine's float32 FMA peak. Placeholder: to be replaced by a register-only FMA loop on every thread.</summary>
internal static class PeakFlops
{
    public static double Measure(int threads) => double.NaN;
}
