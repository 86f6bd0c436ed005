using System.Globalization;
using Atelier.Formats.Images;

namespace Atelier.Training.Trainer;

/// <summary>
/// The loss-curve PNG of a run: the raw per-step loss in light grey, a smoothed curve on top (TensorBoard's
/// debiased exponential smoothing), axes with round-number ticks (1, 2, 5 × 10ⁿ) and a title. Drawn with
/// <see cref="PlotCanvas"/> and written with Atelier's PNG encoder.
/// </summary>
public static class LossCurvePlot
{
    private const int Width = 800, Height = 480;
    private const int Left = 72, Right = 24, Top = 34, Bottom = 46;
    private static readonly (byte, byte, byte) s_white = (255, 255, 255);
    private static readonly (byte, byte, byte) s_axis = (40, 40, 40);
    private static readonly (byte, byte, byte) s_grid = (226, 226, 226);
    private static readonly (byte, byte, byte) s_raw = (185, 195, 210);
    private static readonly (byte, byte, byte) s_smooth = (25, 80, 170);

    /// <summary>Renders the plot (an 800x480 RGB image). <paramref name="title"/> uses upper-case letters, digits and ". - + : ( )".</summary>
    public static Image Render(IReadOnlyList<double> steps, IReadOnlyList<double> losses, string title, double smoothing = 0.95)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(losses);
        if (steps.Count != losses.Count)
            throw new ArgumentException($"loss plot: {steps.Count} steps for {losses.Count} losses.", nameof(losses));
        if (steps.Count == 0)
            throw new ArgumentException("loss plot: no points to draw.", nameof(steps));
        if (losses.Any(v => !double.IsFinite(v)) || steps.Any(v => !double.IsFinite(v)))
            throw new ArgumentException("loss plot: the log holds a NaN or infinite value.", nameof(losses));

        double[] smooth = Smooth(losses, smoothing);
        double xMin = steps.Min(), xMax = steps.Max();
        if (xMax <= xMin) xMax = xMin + 1;
        // The raw curve's first steps can sit far above the rest: bound the axis by the smoothed curve and the bulk
        // of the raw values (99th percentile) so the interesting part is not squashed.
        double[] sorted = losses.Order().ToArray();
        double yMin = Math.Min(sorted[0], smooth.Min());
        double yMax = Math.Max(sorted[(int)Math.Floor(0.99 * (sorted.Length - 1))], smooth.Max());
        if (yMax - yMin < 1e-9) { yMin -= 0.5; yMax += 0.5; }
        double pad = 0.04 * (yMax - yMin);
        yMin -= pad;
        yMax += pad;

        var canvas = new PlotCanvas(Width, Height, s_white);
        int plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double X(double step) => Left + (step - xMin) / (xMax - xMin) * plotW;
        double Y(double loss) => Top + (yMax - Math.Clamp(loss, yMin, yMax)) / (yMax - yMin) * plotH;

        foreach (double t in Ticks(yMin, yMax, 6))
        {
            int y = (int)Math.Round(Y(t));
            canvas.FillRectangle(Left, y, plotW, 1, s_grid);
            canvas.FillRectangle(Left - 5, y, 5, 1, s_axis);
            string label = Label(t);
            canvas.Text(Left - 8 - PlotFont.Measure(label), y - PlotFont.Height / 2, label, s_axis);
        }
        foreach (double t in Ticks(xMin, xMax, 8))
        {
            int x = (int)Math.Round(X(t));
            canvas.FillRectangle(x, Top, 1, plotH, s_grid);
            canvas.FillRectangle(x, Top + plotH, 1, 5, s_axis);
            string label = Label(t);
            canvas.Text(x - PlotFont.Measure(label) / 2, Top + plotH + 9, label, s_axis);
        }
        canvas.FillRectangle(Left, Top, 1, plotH + 1, s_axis);
        canvas.FillRectangle(Left, Top + plotH, plotW + 1, 1, s_axis);

        for (int i = 1; i < steps.Count; i++)
            canvas.Line(X(steps[i - 1]), Y(losses[i - 1]), X(steps[i]), Y(losses[i]), s_raw);
        for (int i = 1; i < steps.Count; i++)
        {
            canvas.Line(X(steps[i - 1]), Y(smooth[i - 1]), X(steps[i]), Y(smooth[i]), s_smooth);
            canvas.Line(X(steps[i - 1]), Y(smooth[i - 1]) + 1, X(steps[i]), Y(smooth[i]) + 1, s_smooth);
        }
        if (steps.Count == 1)
            canvas.FillRectangle((int)X(steps[0]) - 1, (int)Y(losses[0]) - 1, 3, 3, s_smooth);

        canvas.Text(Left, 12, title, s_axis);
        string last = $"LAST {Label(smooth[^1])}";
        canvas.Text(Width - Right - PlotFont.Measure(last), 12, last, s_smooth);
        canvas.Text(Left + plotW / 2 - PlotFont.Measure("STEP") / 2, Height - 14, "STEP", s_axis);
        return canvas.Image;
    }

    /// <summary>Renders and writes the plot as PNG (temporary file, then rename).</summary>
    public static void Write(string path, IReadOnlyList<double> steps, IReadOnlyList<double> losses, string title)
    {
        byte[] png = PngEncoder.Encode(Render(steps, losses, title));
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, png);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Debiased exponential smoothing: s_i = w·s_{i−1} + (1 − w)·x_i, divided by 1 − wⁱ⁺¹ so the first values are
    /// not pulled towards zero.
    /// </summary>
    public static double[] Smooth(IReadOnlyList<double> values, double weight)
    {
        if (!(weight >= 0 && weight < 1))
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "smoothing weight must be in [0, 1).");
        var result = new double[values.Count];
        double s = 0, debias = 1;
        for (int i = 0; i < values.Count; i++)
        {
            s = weight * s + (1 - weight) * values[i];
            debias *= weight;
            result[i] = s / (1 - debias);
        }
        return result;
    }

    /// <summary>Round tick values (1, 2 or 5 × 10ⁿ apart) inside [min, max], at most about <paramref name="count"/> of them.</summary>
    internal static double[] Ticks(double min, double max, int count)
    {
        double raw = (max - min) / Math.Max(1, count);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(f => f * magnitude).First(s => s >= raw);
        var ticks = new List<double>();
        for (double t = Math.Ceiling(min / step) * step; t <= max + step * 1e-9; t += step)
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return ticks.ToArray();
    }

    internal static string Label(double value)
    {
        double a = Math.Abs(value);
        if (a >= 1e6) return (value / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M";
        if (a >= 1e4) return (value / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k";
        if (a >= 100 || a == 0) return value.ToString("0", CultureInfo.InvariantCulture);
        if (a >= 0.01) return value.ToString("0.###", CultureInfo.InvariantCulture);
        return value.ToString("0.0e+0", CultureInfo.InvariantCulture);
    }
}
