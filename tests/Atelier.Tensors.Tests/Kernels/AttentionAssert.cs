using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>Element-wise comparisons of attention operands that name the worst element on failure.</summary>
internal static unsafe class AttentionAssert
{
    /// <summary>|actual − expected| ≤ atol + rtol·|expected| for every element of a [B, H, rows, D] operand; NaN never passes.</summary>
    public static void Close(string name, AttentionCase c, float* actual, float* expected, in AttentionLayout layout, int rows,
        float atol, float rtol)
    {
        double worst = -1; string where = "";
        for (int b = 0; b < c.Batch; b++)
            for (int h = 0; h < c.Heads; h++)
                for (int i = 0; i < rows; i++)
                {
                    float* a = AttentionCase.At(actual, layout, b, h, i), e = AttentionCase.At(expected, layout, b, h, i);
                    for (int d = 0; d < c.Dim; d++)
                        Check(a[d], e[d], atol, rtol, ref worst, ref where, $"[{b}, {h}, {i}, {d}]");
                }
        Report(name, c, worst, where);
    }

    /// <summary>The same check over the [B, H, Nq] log-sum-exp (−∞ must match −∞ exactly).</summary>
    public static void CloseRows(string name, AttentionCase c, float* actual, float* expected, float atol, float rtol)
    {
        double worst = -1; string where = "";
        for (long x = 0; x < (long)c.Batch * c.Heads * c.Nq; x++)
            Check(actual[x], expected[x], atol, rtol, ref worst, ref where, $"[{x / ((long)c.Heads * c.Nq)}, {x / c.Nq % c.Heads}, {x % c.Nq}]");
        Report(name, c, worst, where);
    }

    public static void BitEqual(string name, float[] expected, float[] actual, string context)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int x = 0; x < expected.Length; x++)
            if (BitConverter.SingleToInt32Bits(expected[x]) != BitConverter.SingleToInt32Bits(actual[x]))
                Assert.Fail($"{name}: element {x} differs bitwise ({expected[x]:R} vs {actual[x]:R}); {context}");
    }

    private static void Check(float a, float e, float atol, float rtol, ref double worst, ref string where, string index)
    {
        double excess;
        if (float.IsInfinity(e) || float.IsInfinity(a)) excess = a == e ? 0 : double.PositiveInfinity;
        else if (float.IsNaN(a) || float.IsNaN(e)) excess = double.PositiveInfinity;
        else excess = Math.Abs((double)a - e) / (atol + rtol * Math.Abs((double)e));
        if (excess > worst)
        {
            worst = excess;
            where = $"{index}: got {a:R}, expected {e:R}";
        }
    }

    private static void Report(string name, AttentionCase c, double worst, string where)
    {
        if (worst > 1)
            Assert.Fail($"{name} differs from the reference beyond tolerance ({worst:G3}x the allowed error) at {where}; {c.Describe()}");
    }
}
