namespace Atelier.Tensors.Tests;

public class PropertyTests
{
    [Fact]
    public void SoftmaxRowsSumToOne()
    {
        foreach (int n in new[] { 1, 7, 77, 1000, 4099 })
        {
            var x = OpCheck.Rand(n, [5, n], -30, 30);
            var s = x.Softmax(-1).Sum(-1).ToFloatArray();
            Assert.All(s, v => Assert.Equal(1f, v, 1e-5f));
            Assert.All(x.Softmax(-1).ToFloatArray(), v => Assert.InRange(v, 0f, 1f));
        }
        // Logits far from zero (stability).
        var big = Tensor.FromArray([1000f, 1001f, 999f], [1, 3]);
        Assert.Equal(1f, big.Softmax(-1).Sum().Item(), 1e-6f);
        // A fully masked row is NaN, as PyTorch.
        var masked = Tensor.Full([1, 4], double.NegativeInfinity);
        Assert.All(masked.Softmax(-1).ToFloatArray(), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void GroupNormOutputHasZeroMeanUnitVariancePerGroup()
    {
        int n = 2, c = 64, h = 9, w = 11, groups = 32;
        var x = OpCheck.Rand(1, [n, c, h, w], -5, 20);
        var y = x.GroupNorm(groups, null, null, eps: 0).Reshape(n, groups, -1);
        var mean = y.Mean(-1).ToFloatArray();
        var var = y.Var(-1, correction: 0).ToFloatArray();
        Assert.All(mean, m => Assert.Equal(0f, m, 1e-5f));
        Assert.All(var, v => Assert.Equal(1f, v, 1e-4f));
    }

    [Fact]
    public void LayerNormOutputHasZeroMeanUnitVariancePerRow()
    {
        var x = OpCheck.Rand(2, [3, 17, 320], 100, 101);   // large mean, small spread: the two-pass variance keeps precision
        var y = x.LayerNorm([320], eps: 0);
        Assert.All(y.Mean(-1).ToFloatArray(), m => Assert.Equal(0f, m, 1e-4f));
        Assert.All(y.Var(-1, correction: 0).ToFloatArray(), v => Assert.Equal(1f, v, 2e-3f));
    }

    [Fact]
    public void Conv2dOfConstantInputEqualsClosedFormAwayFromBorders()
    {
        const float value = 0.75f;
        var x = Tensor.Full([1, 3, 9, 10], value);
        var weight = OpCheck.Rand(3, [4, 3, 3, 3]);
        var bias = OpCheck.Rand(4, [4]);
        var y = x.Conv2d(weight, bias, padding: 1);
        for (int o = 0; o < 4; o++)
        {
            double closed = weight.Select(0, o).Sum().Item() * (double)value + bias[o];
            for (int yy = 1; yy < 8; yy++)
                for (int xx = 1; xx < 9; xx++)
                    Assert.Equal(closed, y[0, o, yy, xx], 1e-5);
        }
    }

    [Fact]
    public void ReductionsOfBroadcastEqualScaledReductions()
    {
        var x = OpCheck.Rand(5, [3, 1, 4]);
        var expanded = x.Expand(3, 6, 4);
        var expected = (x.Sum(1) * 6f).ToFloatArray();
        var got = expanded.Sum(1).ToFloatArray();
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 1e-6f);
    }
}
