namespace Atelier.Diffusion.Schedulers;

/// <summary>How a scheduler's "linspace" spacing keeps its values (diffusers differs per class).</summary>
internal enum LinspaceValues
{
    /// <summary>Rounded to integers (DDPM, DDIM, PNDM: <c>np.linspace(...).round()</c>).</summary>
    Rounded,

    /// <summary>Fractional, rounded to float32 before use (Euler, Euler ancestral, Heun: <c>np.linspace(..., dtype=np.float32)</c>).</summary>
    Float32,

    /// <summary>Fractional float64 (LMS: <c>np.linspace(..., dtype=float)</c>).</summary>
    Float64,
}

/// <summary>
/// The leading / linspace / trailing inference timesteps shared by DDPM, DDIM, PNDM, Euler, Euler ancestral, LMS and
/// Heun (their <c>set_timesteps</c>), highest first. DPM-Solver and LCM have their own rules.
/// </summary>
internal static class SpacedTimesteps
{
    public static double[] Descending(TimestepSpacing spacing, int n, int numTrainTimesteps, int stepsOffset, LinspaceValues linspace)
    {
        var t = new double[n];
        switch (spacing)
        {
            case TimestepSpacing.Leading:
            {
                // (np.arange(0, N) * (T // N)).round()[::-1] + steps_offset
                int ratio = numTrainTimesteps / n;
                for (int i = 0; i < n; i++)
                    t[i] = (double)(n - 1 - i) * ratio + stepsOffset;
                return t;
            }
            case TimestepSpacing.Linspace:
            {
                double[] ascending = NumPy.Linspace(0, numTrainTimesteps - 1, n);
                for (int i = 0; i < n; i++)
                {
                    double v = ascending[n - 1 - i];
                    t[i] = linspace switch
                    {
                        LinspaceValues.Rounded => NumPy.Round(v),
                        LinspaceValues.Float32 => (float)v,
                        _ => v,
                    };
                }
                return t;
            }
            case TimestepSpacing.Trailing:
            {
                // np.arange(T, 0, -T / N).round() - 1
                double[] values = NumPy.Arange(numTrainTimesteps, 0, -(numTrainTimesteps / (double)n));
                if (values.Length != n)
                    throw new InvalidOperationException($"trailing spacing: np.arange gave {values.Length} timesteps for N = {n}.");
                for (int i = 0; i < n; i++)
                    t[i] = NumPy.Round(values[i]) - 1;
                return t;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(spacing), spacing, "unknown timestep spacing");
        }
    }
}
