using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>Bad arguments are refused with a message that names the operation, the operand and the shape.</summary>
[Trait("Category", "Kernel")]
public sealed unsafe class AttentionArgumentTests
{
    [Theory]
    [InlineData(-1, 2, 5, 5, 8, "batch")]
    [InlineData(1, -2, 5, 5, 8, "heads")]
    [InlineData(1, 2, -5, 5, 8, "nq")]
    [InlineData(1, 2, 5, -1, 8, "nk")]
    [InlineData(1, 2, 5, 5, -8, "dim")]
    public void NegativeSizes(int batch, int heads, int nq, int nk, int dim, string name)
    {
        using var c = new AttentionCase(1, 2, 5, 5, 8, causal: false, seed: 1);
        var forward = Assert.Throws<ArgumentOutOfRangeException>(() =>
            AttentionKernel.Forward(batch, heads, nq, nk, dim, c.Q, c.QLayout, c.K, c.KLayout, c.V, c.VLayout, c.O, c.OLayout, 1f, false, null));
        Assert.Equal(name, forward.ParamName);
        Assert.Contains($"attention forward: {name} must be >= 0", forward.Message);
        var backward = Assert.Throws<ArgumentOutOfRangeException>(() => Backward(c, batch, heads, nq, nk, dim));
        Assert.Equal(name, backward.ParamName);
        Assert.Contains("attention backward", backward.Message);
    }

    [Theory]
    [InlineData("q")]
    [InlineData("k")]
    [InlineData("v")]
    [InlineData("o")]
    public void NullOperandsOfTheForward(string operand)
    {
        using var c = new AttentionCase(2, 3, 5, 6, 8, causal: false, seed: 1);
        var e = Assert.Throws<ArgumentNullException>(() => AttentionKernel.Forward(2, 3, 5, 6, 8,
            operand == "q" ? null : c.Q, c.QLayout, operand == "k" ? null : c.K, c.KLayout,
            operand == "v" ? null : c.V, c.VLayout, operand == "o" ? null : c.O, c.OLayout, 0.5f, false, c.Lse));
        Assert.Equal(operand, e.ParamName);
        string rows = operand is "q" or "o" ? "5" : "6";
        Assert.Contains($"attention forward: {operand.ToUpperInvariant()} is null but must hold [2, 3, {rows}, 8] floats", e.Message);
    }

    [Fact]
    public void NullOperandsOfTheBackward()
    {
        using var c = new AttentionCase(2, 3, 5, 6, 8, causal: false, seed: 1);
        var lse = Assert.Throws<ArgumentNullException>(() => AttentionKernel.Backward(2, 3, 5, 6, 8, c.Q, c.QLayout, c.K, c.KLayout, c.V, c.VLayout,
            c.O, c.OLayout, c.GradO, c.OLayout, null, c.GradQ, c.QLayout, c.GradK, c.KLayout, c.GradV, c.VLayout, 0.5f, false));
        Assert.Equal("logSumExp", lse.ParamName);
        Assert.Contains("log-sum-exp [2, 3, 5]", lse.Message);
        var dk = Assert.Throws<ArgumentNullException>(() => AttentionKernel.Backward(2, 3, 5, 6, 8, c.Q, c.QLayout, c.K, c.KLayout, c.V, c.VLayout,
            c.O, c.OLayout, c.GradO, c.OLayout, c.Lse, c.GradQ, c.QLayout, null, c.KLayout, c.GradV, c.VLayout, 0.5f, false));
        Assert.Equal("gradK", dk.ParamName);
        Assert.Contains("dK is null", dk.Message);
    }

    [Fact]
    public void NullPointersAreFineWhenAnOperandIsEmpty()
    {
        using var c = new AttentionCase(1, 2, 5, 5, 8, causal: false, seed: 1);
        AttentionKernel.Forward(1, 2, 0, 5, 8, null, c.QLayout, c.K, c.KLayout, c.V, c.VLayout, null, c.OLayout, 1f, false, null);
    }

    [Fact]
    public void OverlappingOutputRowsAreRefused()
    {
        using var c = new AttentionCase(1, 2, 5, 5, 8, causal: false, seed: 1);
        var overlapping = new AttentionLayout(2 * 5 * 8, 8, 4);    // rows of 8 floats, 4 apart
        var e = Assert.Throws<ArgumentException>(() =>
            AttentionKernel.Forward(1, 2, 5, 5, 8, c.Q, c.QLayout, c.K, c.KLayout, c.V, c.VLayout, c.O, overlapping, 1f, false, null));
        Assert.Equal("o", e.ParamName);
        Assert.Contains("output O [1, 2, 5, 8]", e.Message);
        var dv = Assert.Throws<ArgumentException>(() => AttentionKernel.Backward(1, 2, 5, 5, 8, c.Q, c.QLayout, c.K, c.KLayout, c.V, c.VLayout,
            c.O, c.OLayout, c.GradO, c.OLayout, c.Lse, c.GradQ, c.QLayout, c.GradK, c.KLayout, c.GradV, new AttentionLayout(80, 0, 8), 1f, false));
        Assert.Equal("gradV", dv.ParamName);
        Assert.Contains("output dV", dv.Message);
    }

    [Fact]
    public void NegativeStridesAndBadScalesAreRefused()
    {
        using var c = new AttentionCase(1, 2, 5, 5, 8, causal: false, seed: 1);
        var stride = Assert.Throws<ArgumentException>(() => AttentionKernel.Forward(1, 2, 5, 5, 8, c.Q, c.QLayout,
            c.K, new AttentionLayout(80, 40, -8), c.V, c.VLayout, c.O, c.OLayout, 1f, false, null));
        Assert.Equal("k", stride.ParamName);
        Assert.Contains("negative stride", stride.Message);
        var scale = Assert.Throws<ArgumentOutOfRangeException>(() => AttentionKernel.Forward(1, 2, 5, 5, 8, c.Q, c.QLayout,
            c.K, c.KLayout, c.V, c.VLayout, c.O, c.OLayout, float.NaN, false, null));
        Assert.Equal("scale", scale.ParamName);
    }

    private static void Backward(AttentionCase c, int batch, int heads, int nq, int nk, int dim) =>
        AttentionKernel.Backward(batch, heads, nq, nk, dim, c.Q, c.QLayout, c.K, c.KLayout, c.V, c.VLayout, c.O, c.OLayout, c.GradO, c.OLayout, c.Lse,
            c.GradQ, c.QLayout, c.GradK, c.KLayout, c.GradV, c.VLayout, 1f, false);
}
