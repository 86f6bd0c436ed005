namespace Atelier.Tensors.Tests;

/// <summary>The profiler's table is process-wide: these run in the non-parallel "memory" collection, alone.</summary>
[Collection("memory")]
public class OpProfilerTests
{
    [Fact]
    public void CountsOutermostOpsWithTheirFlopsAndNothingWhenOff()
    {
        var x = OpCheck.Rand(1, [6, 8], -1, 1).RequireGrad();
        var w = OpCheck.Rand(2, [5, 8], -1, 1);
        var residual = OpCheck.Rand(3, [6, 5], -1, 1);
        x.Linear(w).Silu();                                     // profiling off: not counted
        OpProfiler.Start();
        Assert.True(OpProfiler.Enabled);
        // Under autograd a residual linear runs as linear + add inside the outer linear: counted once, as linear.
        x.Linear(w, null, residual).Silu();
        x.Silu();
        var table = OpProfiler.Stop();
        Assert.False(OpProfiler.Enabled);
        x.Linear(w);                                            // off again
        var linear = Assert.Single(table, e => e.Op == "linear");
        Assert.Equal(1, linear.Calls);
        Assert.Equal(2.0 * 6 * 8 * 5, linear.Flops);
        Assert.True(linear.Seconds > 0);
        Assert.Equal(2, Assert.Single(table, e => e.Op == "silu").Calls);
        Assert.DoesNotContain(table, e => e.Op == "add");
    }

    [Fact]
    public void SplitsGemmOpsByShapeOnRequest()
    {
        var x = OpCheck.Rand(4, [1, 3, 6, 6], -1, 1);
        var w = OpCheck.Rand(5, [4, 3, 3, 3], -1, 1);
        OpProfiler.Start(byShape: true);
        x.Conv2d(w, padding: 1);
        var table = OpProfiler.Stop();
        var conv = Assert.Single(table, e => e.Op.StartsWith("conv2d", StringComparison.Ordinal));
        Assert.Equal("conv2d 1x3x6x6 -> 4 k3 s1", conv.Op);
        Assert.Equal(2.0 * 4 * 36 * 27, conv.Flops);
    }
}
