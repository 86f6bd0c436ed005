using Atelier.Tensors;

namespace Atelier.Tensors.Tests;

public class MatMulTests
{
    private static double[] Reference(float[] a, float[] b, int batch, int m, int k, int n, bool bBroadcast = false)
    {
        var c = new double[batch * m * n];
        for (int t = 0; t < batch; t++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += (double)a[(t * m + i) * k + p] * b[((bBroadcast ? 0 : t) * k + p) * n + j];
                    c[(t * m + i) * n + j] = s;
                }
        return c;
    }

    [Fact]
    public void MatMul2DAndBatchedWithBroadcast()
    {
        var rng = new Random(2);
        var a = ArithmeticTests.Rand(rng, [3, 5, 7]);
        var b = ArithmeticTests.Rand(rng, [7, 4]);
        var c = a.MatMul(b);
        Assert.Equal(new Shape(3, 5, 4), c.Shape);
        var expected = Reference(a.ToFloatArray(), b.ToFloatArray(), 3, 5, 7, 4, bBroadcast: true);
        var got = c.ToFloatArray();
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 1e-5);
        // Transposed operands are strided views: same result as the contiguous copies.
        var bt = ArithmeticTests.Rand(rng, [4, 7]);
        Assert.Equal(a.MatMul(bt.T.Contiguous()).ToFloatArray(), a.MatMul(bt.T).ToFloatArray());
        // 1-D operands.
        var v = ArithmeticTests.Rand(rng, [7]);
        Assert.Equal(new Shape(3, 5), a.MatMul(v).Shape);
        Assert.Equal(new Shape(4), v.MatMul(b).Shape);
    }

    [Fact]
    public void LinearWithHalfWeights()
    {
        var rng = new Random(3);
        var x = ArithmeticTests.Rand(rng, [2, 3, 8]);
        var w = ArithmeticTests.Rand(rng, [5, 8]);
        var bias = ArithmeticTests.Rand(rng, [5]);
        var wh = w.Cast(DType.F16);
        var y = x.Linear(wh, bias);
        Assert.Equal(new Shape(2, 3, 5), y.Shape);
        var wf = wh.ToFloatArray();
        var xf = x.ToFloatArray();
        var bf = bias.ToFloatArray();
        var got = y.ToFloatArray();
        for (int r = 0; r < 6; r++)
            for (int o = 0; o < 5; o++)
            {
                double s = bf[o];
                for (int i = 0; i < 8; i++) s += (double)xf[r * 8 + i] * wf[o * 8 + i];
                Assert.Equal(s, got[r * 5 + o], 1e-5);
            }
    }

    [Fact]
    public void ShapeErrors()
    {
        var ex = Assert.Throws<TensorShapeException>(() => Tensor.Zeros([2, 3]).MatMul(Tensor.Zeros([4, 5])));
        Assert.Equal("matmul: inner dimensions differ: [2, 3] @ [4, 5]; expected a.shape[-1] == b.shape[-2]", ex.Message);
        var lin = Assert.Throws<TensorShapeException>(() => Tensor.Zeros([2, 3]).Linear(Tensor.Zeros([5, 4])));
        Assert.Contains("linear", lin.Message);
        Assert.Contains("[5, 4]", lin.Message);
        Assert.Throws<TensorShapeException>(() => Tensor.Zeros([2, 2, 3]).MatMul(Tensor.Zeros([3, 3, 1])));
    }
}
