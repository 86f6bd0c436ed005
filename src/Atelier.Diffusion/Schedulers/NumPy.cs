namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// The few NumPy routines diffusers' <c>set_timesteps</c> uses, with NumPy's float64 arithmetic reproduced where it
/// changes a result: <c>linspace</c> multiplies <c>i * step</c> (not <c>i * delta / div</c>) and pins the endpoint,
/// <c>arange</c> fills <c>start + i * (x[1] - x[0])</c>, <c>round</c> is half to even and <c>interp</c> follows
/// numpy/core/src/multiarray/compiled_base.c.
/// </summary>
internal static class NumPy
{
    /// <summary><c>np.linspace(start, stop, num, endpoint)</c> in float64.</summary>
    public static double[] Linspace(double start, double stop, int num, bool endpoint = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(num);
        var y = new double[num];
        int div = endpoint ? num - 1 : num;
        double delta = stop - start;
        if (div > 0)
        {
            double step = delta / div;
            for (int i = 0; i < num; i++)
                y[i] = (step == 0 ? i / (double)div * delta : i * step) + start;
        }
        else
        {
            for (int i = 0; i < num; i++)
                y[i] = i * delta + start;
        }
        if (endpoint && num > 1)
            y[num - 1] = stop;
        return y;
    }

    /// <summary><c>np.arange(start, stop, step)</c> in float64.</summary>
    public static double[] Arange(double start, double stop, double step)
    {
        if (step == 0 || !double.IsFinite(step))
            throw new ArgumentOutOfRangeException(nameof(step), step, "np.arange needs a finite non-zero step.");
        int n = Math.Max(0, (int)Math.Ceiling((stop - start) / step));
        var y = new double[n];
        if (n == 0)
            return y;
        y[0] = start;
        if (n == 1)
            return y;
        // NumPy computes the first two values and then fills with their difference (PyArray_Arange -> DOUBLE_fill).
        double second = start + step;
        double delta = second - start;
        y[1] = second;
        for (int i = 2; i < n; i++)
            y[i] = start + i * delta;
        return y;
    }

    /// <summary><c>np.round</c>: to the nearest integer, ties to even.</summary>
    public static double Round(double x) => Math.Round(x, MidpointRounding.ToEven);

    /// <summary><c>np.interp(x, xp, fp)</c> for increasing <paramref name="xp"/>, clamping outside the range.</summary>
    public static double Interp(double x, ReadOnlySpan<double> xp, ReadOnlySpan<double> fp)
    {
        if (xp.Length == 0 || xp.Length != fp.Length)
            throw new ArgumentException($"np.interp needs xp and fp of the same non-zero length (got {xp.Length} and {fp.Length}).");
        if (double.IsNaN(x))
            return x;
        int n = xp.Length;
        if (x < xp[0])
            return fp[0];
        if (x > xp[n - 1])
            return fp[n - 1];
        // Largest j with xp[j] <= x.
        int lo = 0, hi = n - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (xp[mid] <= x) lo = mid;
            else hi = mid - 1;
        }
        int j = lo;
        if (j == n - 1 || xp[j] == x)
            return fp[j];
        double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
        double result = slope * (x - xp[j]) + fp[j];
        if (double.IsNaN(result))
        {
            result = slope * (x - xp[j + 1]) + fp[j + 1];
            if (double.IsNaN(result) && fp[j] == fp[j + 1])
                result = fp[j];
        }
        return result;
    }
}
