namespace Atelier.Tensors.Tests;

public class AutogradTests
{
    [Fact]
    public void InferenceRecordsNothing()
    {
        var x = OpCheck.Rand(1, [2, 3]);
        var w = OpCheck.Rand(2, [4, 3]);
        var y = x.Linear(w).Gelu().Softmax(-1).Sum(0);
        Assert.True(y.IsLeaf);
        Assert.False(y.RequiresGrad);
        var p = OpCheck.Rand(3, [4, 3]).RequireGrad();
        using (Autograd.NoGrad())
        {
            Assert.False(Autograd.IsEnabled);
            var z = x.Linear(p).Exp();
            Assert.True(z.IsLeaf);
            Assert.False(z.RequiresGrad);
        }
        Assert.True(Autograd.IsEnabled);
        Assert.False(x.Linear(p).IsLeaf);
    }

    [Fact]
    public void GradientsAccumulateAndZero()
    {
        var p = Tensor.FromArray([1f, 2, 3], [3]).RequireGrad();
        (p * p).Sum().Backward();
        Assert.Equal([2f, 4, 6], p.Grad!.ToFloatArray());
        (p * 3f).Sum().Backward();
        Assert.Equal([5f, 7, 9], p.Grad!.ToFloatArray());
        p.ZeroGrad();
        Assert.Equal([0f, 0, 0], p.Grad!.ToFloatArray());
    }

    [Fact]
    public void ExplicitUpstreamGradientAndViewsOfLeaves()
    {
        var p = Tensor.FromArray([1f, 2, 3, 4, 5, 6], [2, 3]).RequireGrad();
        var y = p.T.Exp();                                  // [3, 2]
        var upstream = Tensor.FromArray([1f, 0, 0, 1, 2, 0], [3, 2]);
        y.Backward(upstream);
        var pv = p.ToFloatArray();
        var expected = new float[6];
        // y[i, j] = exp(p[j, i]); dp[j, i] = upstream[i, j] * exp(p[j, i])
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++) expected[j * 3 + i] = upstream[i, j] * MathF.Exp(pv[j * 3 + i]);
        var got = p.Grad!.ToFloatArray();
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], got[i], 1e-6f * Math.Abs(expected[i]));
        Assert.Throws<TensorShapeException>(() => y.Backward());                 // not a scalar, no gradient given
        Assert.Throws<TensorShapeException>(() => y.Backward(Tensor.Zeros([2, 3])));
    }

    [Fact]
    public void DetachCutsTheGraph()
    {
        var p = Tensor.FromArray([2f], [1]).RequireGrad();
        var y = p * p;
        var d = y.Detach();
        Assert.True(d.IsLeaf);
        Assert.False(d.RequiresGrad);
        Assert.True(d.SharesStorageWith(y));
        (d * p).Sum().Backward();
        Assert.Equal([4f], p.Grad!.ToFloatArray());   // only through the explicit p, not through d
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([1]).Backward());
        Assert.Throws<TensorDTypeException>(() => Tensor.Zeros([1], DType.I64).RequireGrad());
    }

    [Fact]
    public void DiamondGraphSumsBothPaths()
    {
        var p = Tensor.FromArray([0.5f, -1f], [2]).RequireGrad();
        var a = p.Exp();
        var b = a * p;             // uses a and p
        var c = a + b.Sin();       // uses a twice (directly and through b)
        c.Sum().Backward();
        var pv = p.ToFloatArray();
        for (int i = 0; i < 2; i++)
        {
            double e = Math.Exp(pv[i]);
            double expected = e + Math.Cos(e * pv[i]) * (e * pv[i] + e);
            Assert.Equal(expected, p.Grad![i], 1e-5);
        }
    }

    [Fact]
    public void TrainingStepInsideAScope()
    {
        var w = OpCheck.Rand(1, [3, 4]).RequireGrad();
        var x = OpCheck.Rand(2, [5, 4]);
        var target = OpCheck.Rand(3, [5, 3]);
        float first = 0, last = 0;
        for (int step = 0; step < 20; step++)
        {
            using var scope = TensorScope.Begin();
            w.ZeroGrad();
            var loss = Ops.MseLoss(x.Linear(w), target);
            loss.Backward();
            if (step == 0) first = loss.Item();
            last = loss.Item();
            using (Autograd.NoGrad()) Ops.AddInPlace(w, w.Grad! * -0.5f);   // SGD: w lives outside the scope
        }
        Assert.True(last < first * 0.5f, $"loss {first} -> {last}");
        Assert.NotNull(w.Grad);
        _ = w.Grad!.ToFloatArray();   // gradients are never scoped
    }
}
