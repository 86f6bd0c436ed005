using Atelier.Tensors;

namespace Atelier.Tensors.Tests;

/// <summary>TensorMemory's counters are process-wide: this collection runs alone, after the parallel ones.</summary>
[CollectionDefinition("memory", DisableParallelization = true)]
public sealed class MemoryCollection
{
}

[Collection("memory")]
public class MemoryTests
{
    [Fact]
    public void ScopeReleasesIntermediatesAndKeepsResults()
    {
        var input = Tensor.Ones([64, 64]);
        Tensor kept, dropped;
        using (var scope = TensorScope.Begin())
        {
            dropped = input + 1f;
            kept = scope.Keep(dropped * 2f);
            Assert.True(scope.OwnedBytes >= 64 * 64 * 4);
        }
        Assert.Equal(4f, kept[0, 0]);
        var ex = Assert.Throws<TensorReleasedException>(() => dropped.ToFloatArray());
        Assert.Contains("[64, 64]", ex.Message);
        Assert.Throws<TensorReleasedException>(() => (dropped + 1f).Item());
    }

    [Fact]
    public void KeepMovesToTheEnclosingScope()
    {
        Tensor inner;
        using (var outer = TensorScope.Begin())
        {
            using (var scope = TensorScope.Begin())
                inner = scope.Keep(Tensor.Ones([8]));
            Assert.Equal(8f, inner.Sum().Item());
        }
        Assert.Throws<TensorReleasedException>(() => inner.Sum());
    }

    [Fact]
    public void PoolReusesBlocksAndTracksPeak()
    {
        using (var warm = TensorScope.Begin())
            _ = Tensor.Empty([1000, 1000]);
        long before = TensorMemory.CurrentBytes;
        TensorMemory.ResetPeak();
        using (var scope = TensorScope.Begin())
        {
            _ = Tensor.Empty([1000, 1000]);
            Assert.True(TensorMemory.CurrentBytes >= before + 4_000_000);
        }
        Assert.True(TensorMemory.PeakBytes >= before + 4_000_000);
        Assert.True(TensorMemory.CurrentBytes <= before + 1_000_000);   // the block went back to the pool
    }

    [Fact]
    public void ScopesMustEndInOrder()
    {
        var outer = TensorScope.Begin();
        var inner = TensorScope.Begin();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
    }

    [Fact]
    public void SizeClassesWasteAtMostAQuarter()
    {
        foreach (long bytes in new long[] { 1, 63, 64, 65, 1000, 1025, 4096, 5000, 1 << 20, (1 << 20) + 1, 123456789 })
        {
            long c = TensorMemory.SizeClass(bytes);
            Assert.True(c >= bytes);
            Assert.True(c % 64 == 0);
            Assert.True(bytes <= 1024 || c <= bytes * 1.25 + 64, $"{bytes} -> {c}");
        }
    }
}
