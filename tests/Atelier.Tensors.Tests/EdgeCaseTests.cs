namespace Atelier.Tensors.Tests;

public class EdgeCaseTests
{
    [Fact]
    public void EmptyTensorsFlowThroughOps()
    {
        var e = Tensor.Zeros([0, 3]);
        Assert.Equal(new Shape(0, 3), (e + 1f).Shape);
        Assert.Equal(new Shape(0, 3), e.Gelu().Shape);
        Assert.Equal(0f, e.Sum().Item());
        Assert.True(float.IsNaN(e.Mean().Item()));
        Assert.Equal(new Shape(3), e.Sum(0).Shape);
        Assert.All(e.Sum(0).ToFloatArray(), v => Assert.Equal(0f, v));
        Assert.Equal(new Shape(0, 3), e.Softmax(-1).Shape);
        Assert.Equal(new Shape(0, 3), e.LayerNorm([3]).Shape);
        Assert.Equal(new Shape(0, 5), e.MatMul(Tensor.Zeros([3, 5])).Shape);
        Assert.All(Tensor.Zeros([2, 0]).MatMul(Tensor.Zeros([0, 4])).ToFloatArray(), v => Assert.Equal(0f, v));
        Assert.Equal(new Shape(0, 3), e.T.Contiguous().T.Shape);
        Assert.Equal(new Shape(2, 0), Tensor.Zeros([2, 5]).Narrow(1, 5, 0).Shape);
    }

    [Fact]
    public void ScalarsBroadcastAndReshape()
    {
        var s = Tensor.Scalar(2f);
        Assert.Equal(0, s.Rank);
        var x = Tensor.FromArray([1f, 2, 3], [3]);
        Assert.Equal([3f, 4, 5], (x + s).ToFloatArray());
        Assert.Equal(new Shape(1, 1), s.Reshape(1, 1).Shape);
        Assert.Equal(new Shape(1), s.Flatten().Shape);
        Assert.Equal(2f, s.Unsqueeze(0)[0]);
        var p = Tensor.Scalar(3f).RequireGrad();
        (p * p).Backward();
        Assert.Equal(6f, p.Grad!.Item());
    }

    [Fact]
    public void ReshapeOfExpandedViewCopies()
    {
        var e = Tensor.FromArray([1f, 2, 3], [3, 1]).Expand(3, 4);
        var r = e.Reshape(12);
        Assert.Equal([1f, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], r.ToFloatArray());
        Assert.Throws<TensorShapeException>(() => e.View(12));
        Assert.Equal(new Shape(3, 2, 2), e.View(3, 2, 2).Shape);   // splitting a broadcast dimension is still a view
    }

    [Fact]
    public void HalfInputsAreWidenedEverywhere()
    {
        var x = OpCheck.Rand(1, [2, 4, 3, 3]);
        var h = x.Cast(DType.F16);
        var w = h.Cast(DType.F32);   // the exact values the half tensor holds
        Assert.Equal(w.GroupNorm(2).ToFloatArray(), h.GroupNorm(2).ToFloatArray());
        Assert.Equal(w.Softmax(1).ToFloatArray(), h.Softmax(1).ToFloatArray());
        Assert.Equal(w.Sum(1).ToFloatArray(), h.Sum(1).ToFloatArray());
        Assert.Equal(w.MatMul(w.Transpose(-1, -2)).ToFloatArray(), h.MatMul(h.Transpose(-1, -2)).ToFloatArray());
        var bf = x.Cast(DType.BF16);
        Assert.Equal(bf.Cast(DType.F32).Silu().ToFloatArray(), bf.Silu().ToFloatArray());
    }
}
