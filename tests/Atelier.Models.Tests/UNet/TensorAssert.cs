using Atelier.Tensors;

namespace Atelier.Models.Tests.UNet;

internal static class TensorAssert
{
    /// <summary>Largest |actual - expected| (shapes must match; the message names <paramref name="name"/>).</summary>
    public static double MaxAbsDiff(string name, Tensor expected, Tensor actual)
    {
        Assert.True(expected.Shape == actual.Shape, $"{name}: shape {actual.Shape}, expected {expected.Shape}.");
        float[] e = expected.ToFloatArray(), a = actual.ToFloatArray();
        double max = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double d = Math.Abs((double)a[i] - e[i]);
            if (double.IsNaN(d)) return double.PositiveInfinity;
            max = Math.Max(max, d);
        }
        return max;
    }

    /// <summary>|actual - expected| ≤ atol + rtol·|expected| everywhere; the failure names the tensor, the first offending index and the largest error.</summary>
    public static void Close(string name, Tensor expected, Tensor actual, double atol, double rtol = 0)
    {
        Assert.True(expected.Shape == actual.Shape, $"{name}: shape {actual.Shape}, expected {expected.Shape}.");
        float[] e = expected.ToFloatArray(), a = actual.ToFloatArray();
        int first = -1;
        double max = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double d = Math.Abs((double)a[i] - e[i]);
            if (!(d <= atol + rtol * Math.Abs(e[i])) && first < 0) first = i;
            if (!(d <= max)) max = d;
        }
        if (first >= 0)
            Assert.Fail($"{name}: element {first} is {a[first]}, expected {e[first]} (max abs error {max:G3}, atol {atol:G3}, rtol {rtol:G3}).");
    }
}
