using Atelier.Tensors;

namespace Atelier.Tensors.Tests;

public class ArithmeticTests
{
    [Fact]
    public void BroadcastingEqualsExplicitExpansion()
    {
        var rng = new Random(1);
        Shape[][] cases =
        [
            [[2, 3, 4], [4]], [[2, 3, 4], [3, 1]], [[2, 1, 4], [1, 5, 1]], [[4, 6, 70], [6, 1]], [[1], [3, 3]], [[], [2, 2]],
            [[2, 320, 8, 8], [320, 1, 1]], [[3, 1], [3, 100000]],
        ];
        foreach (var c in cases)
        {
            var a = Rand(rng, c[0]);
            var b = Rand(rng, c[1]);
            var shape = new Shape(Enumerable.Range(0, Math.Max(c[0].Rank, c[1].Rank)).Select(i =>
            {
                int r = Math.Max(c[0].Rank, c[1].Rank);
                int da = i < r - c[0].Rank ? 1 : c[0][i - (r - c[0].Rank)];
                int db = i < r - c[1].Rank ? 1 : c[1][i - (r - c[1].Rank)];
                return Math.Max(da, db);
            }).ToArray());
            var ea = a.Expand(shape.Dims).Contiguous().ToFloatArray();
            var eb = b.Expand(shape.Dims).Contiguous().ToFloatArray();
            Check(a + b, shape, ea, eb, (x, y) => x + y);
            Check(a - b, shape, ea, eb, (x, y) => x - y);
            Check(a * b, shape, ea, eb, (x, y) => x * y);
            Check(a / b, shape, ea, eb, (x, y) => x / y);
            Check(b - a, shape, eb, ea, (x, y) => x - y);
        }

        static void Check(Tensor r, Shape shape, float[] ea, float[] eb, Func<float, float, float> f)
        {
            Assert.Equal(shape, r.Shape);
            var v = r.ToFloatArray();
            for (int i = 0; i < v.Length; i++) Assert.Equal(f(ea[i], eb[i]), v[i]);
        }
    }

    [Fact]
    public void ScalarOperatorsAndStridedInputs()
    {
        var x = Tensor.FromArray([1f, 2, 3, 4, 5, 6], [2, 3]);
        Assert.Equal([3f, 9, 5, 11, 7, 13], (x.T * 2f + 1f).ToFloatArray());   // strided input, contiguous result
        Assert.Equal([0f, -1, -2, -3, -4, -5], (1f - x).ToFloatArray());
        Assert.Equal([-1f, -2, -3, -4, -5, -6], (-x).ToFloatArray());
        Assert.Equal([6f, 3, 2, 1.5f, 1.2f, 1], (6f / x).ToFloatArray());
        Assert.Equal([0.5f, 1, 1.5f, 2, 2.5f, 3], (x / 2f).ToFloatArray());
        var half = x.Cast(DType.F16);
        Assert.Equal((x + x).ToFloatArray(), (half + x).ToFloatArray());
    }

    [Fact]
    public void ErrorsNameTheOpAndShapes()
    {
        var ex = Assert.Throws<TensorShapeException>(() => Tensor.Zeros([2, 3]) + Tensor.Zeros([4]));
        Assert.Contains("add", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4]", ex.Message);
        var dt = Assert.Throws<TensorDTypeException>(() => Tensor.Zeros([2], DType.I64).Exp());
        Assert.Contains("exp", dt.Message);
        Assert.Contains("I64", dt.Message);
    }

    internal static Tensor Rand(Random rng, Shape shape)
    {
        var data = new float[shape.ElementCount];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return Tensor.FromArray(data, shape);
    }
}
