using Atelier.Formats.Images;
using Atelier.Training.Trainer;

namespace Atelier.Training.Tests.Trainer;

public class LossCurvePlotTests
{
    [Fact]
    public void Plot_png_decodes_and_shows_the_smoothed_curve_falling()
    {
        double[] steps = Enumerable.Range(0, 300).Select(i => (double)i).ToArray();
        double[] losses = steps.Select(s => 5 * Math.Exp(-s / 80) + 0.5 + 0.2 * Math.Sin(s * 1.7)).ToArray();
        string path = Path.Combine(Path.GetTempPath(), $"atelier-plot-{Guid.NewGuid():N}.png");
        try
        {
            LossCurvePlot.Write(path, steps, losses, "TRAINING LOSS");
            Image image = PngDecoder.DecodeFile(path).Image.ToRgb();
            Assert.Equal((800, 480), (image.Width, image.Height));

            // The curve colour (25, 80, 170) appears high on the left and low on the right of the plot area.
            int TopmostCurvePixel(int x)
            {
                for (int y = 34; y < 480 - 46; y++)
                {
                    var px = image.Row(y).Slice(x * 3, 3);
                    if (px[2] > 140 && px[0] < 80 && px[1] < 120) return y;
                }
                return -1;
            }
            int left = TopmostCurvePixel(100), right = TopmostCurvePixel(760);
            Assert.True(left > 0 && right > 0, $"curve not found ({left}, {right})");
            Assert.True(left < right - 100, $"left {left}, right {right}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Smoothing_is_debiased()
    {
        Assert.Equal([2.0, 2.0, 2.0], LossCurvePlot.Smooth([2.0, 2.0, 2.0], 0.9));
        double[] s = LossCurvePlot.Smooth([0.0, 10.0], 0.5);
        Assert.Equal(0, s[0]);
        Assert.Equal(5.0 / 0.75, s[1], 10);
    }

    [Fact]
    public void Ticks_are_round_numbers_inside_the_range()
    {
        Assert.Equal([0.0, 2, 4, 6, 8, 10], LossCurvePlot.Ticks(0, 10, 5));
        Assert.Equal([1.5, 2.0, 2.5, 3.0], LossCurvePlot.Ticks(1.3, 3.1, 6));
        Assert.Equal("12.5k", LossCurvePlot.Label(12500));
        Assert.Equal("0.25", LossCurvePlot.Label(0.25));
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => LossCurvePlot.Render([], [], "X"));
        Assert.Throws<ArgumentException>(() => LossCurvePlot.Render([0, 1], [1, double.NaN], "X"));
        Assert.Throws<ArgumentException>(() => LossCurvePlot.Render([0], [1], "lower case"));
    }
}
