using System.Globalization;
using Atelier.Tensors;

namespace Atelier.Diffusion.Tests;

/// <summary>Element-wise comparisons whose failure names the context (scheduler, run, step) and the first differing index.</summary>
internal static class TensorAssert
{
    /// <summary>|actual - expected| &lt;= atol + rtol * |expected| everywhere (NaN never passes).</summary>
    public static void Close(float[] expected, Tensor actual, double atol, double rtol, string context)
    {
        Assert.True(expected.Length == actual.ElementCount, $"{context}: {actual.ElementCount} values ({actual.Shape}), expected {expected.Length}");
        float[] values = actual.ToFloatArray();
        int failures = 0;
        int first = -1;
        double maxDiff = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double diff = Math.Abs((double)values[i] - expected[i]);
            if (!(diff <= atol + rtol * Math.Abs(expected[i])))
            {
                failures++;
                if (first < 0) first = i;
            }
            if (!(diff <= maxDiff)) maxDiff = diff;
        }
        if (failures > 0)
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                $"{context}: {failures} of {values.Length} values differ by more than atol {atol:g} + rtol {rtol:g}; first at flat index {first} {Index(actual.Shape, first)}: {values[first]:R} vs expected {expected[first]:R}; max |diff| {maxDiff:g3}"));
        }
    }

    /// <summary>Bit-identical tensors (determinism, reruns).</summary>
    public static void Identical(Tensor expected, Tensor actual, string context)
    {
        Assert.True(expected.Shape == actual.Shape, $"{context}: shape {actual.Shape}, expected {expected.Shape}");
        float[] e = expected.ToFloatArray();
        float[] a = actual.ToFloatArray();
        for (int i = 0; i < e.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(e[i]) != BitConverter.SingleToInt32Bits(a[i]))
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{context}: first difference at flat index {i} {Index(actual.Shape, i)}: {a[i]:R} vs {e[i]:R}"));
        }
    }

    private static string Index(Shape shape, int flat)
    {
        var index = new int[shape.Rank];
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return "[" + string.Join(", ", index) + "]";
    }
}
