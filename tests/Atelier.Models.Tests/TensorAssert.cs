using System.Globalization;
using Atelier.Tensors;

namespace Atelier.Models.Tests;

/// <summary>Reference comparisons that name the first element that diverges (tensor, then each index by its meaning).</summary>
internal static class TensorAssert
{
    /// <summary>
    /// |actual - expected| ≤ atol + rtol·|expected| everywhere (torch.allclose). On failure the message names the first
    /// offending element, e.g. "hidden_states[3] prompt 2 position 14 channel 7: 0.123 vs expected 0.125", and the
    /// largest error.
    /// </summary>
    public static void Close(string name, Tensor expected, Tensor actual, double atol, double rtol = 0, params string[] axes)
    {
        Assert.True(expected.Shape == actual.Shape, $"{name}: shape {actual.Shape}, expected {expected.Shape}.");
        float[] e = expected.ToFloatArray(), a = actual.ToFloatArray();
        int first = -1;
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double diff = Math.Abs((double)a[i] - e[i]);
            bool bad = !(diff <= atol + rtol * Math.Abs(e[i]));   // NaN is bad
            if (bad && first < 0) first = i;
            if (!(diff <= worst)) { worst = diff; worstAt = i; }
        }
        if (first < 0) return;
        Assert.Fail($"{name}{Where(expected.Shape, first, axes)}: {Format(a[first])} vs expected {Format(e[first])} " +
                    $"(atol {atol}, rtol {rtol}); largest error {worst:G3}{Where(expected.Shape, worstAt, axes)}.");
    }

    /// <summary>Largest |a - b| over all elements.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.True(a.Shape == b.Shape, $"shapes differ: {a.Shape} vs {b.Shape}.");
        float[] x = a.ToFloatArray(), y = b.ToFloatArray();
        double worst = 0;
        for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs((double)x[i] - y[i]));
        return worst;
    }

    private static string Where(Shape shape, int flat, string[] axes)
    {
        var index = new int[shape.Rank];
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        var parts = new List<string>();
        for (int d = 0; d < index.Length; d++)
            parts.Add(d < axes.Length ? $"{axes[d]} {index[d]}" : $"[{index[d]}]");
        return parts.Count == 0 ? "" : " " + string.Join(" ", parts);
    }

    private static string Format(float v) => v.ToString("G7", CultureInfo.InvariantCulture);
}
