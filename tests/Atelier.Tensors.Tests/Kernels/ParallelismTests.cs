using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests.Kernels;

/// <summary>The worker pool: every index exactly once, errors surface in the caller, nesting and concurrent callers never deadlock.</summary>
[Trait("Category", "Kernel")]
public sealed class ParallelismTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    public void RunsEveryIndexExactlyOnce(int count)
    {
        foreach (int threads in new[] { 1, 2, 3 })
            WithThreads(threads, () =>
            {
                int[] hits = new int[count];
                for (int round = 0; round < 20; round++)
                    Parallelism.For(count, i => Interlocked.Increment(ref hits[i]));
                Assert.All(hits, h => Assert.Equal(20, h));
            });
    }

    [Fact]
    public void ExceptionInABodyReachesTheCaller()
    {
        WithThreads(3, () =>
        {
            var e = Assert.Throws<InvalidOperationException>(() =>
                Parallelism.For(100, i => { if (i == 37) throw new InvalidOperationException("body 37 failed"); }));
            Assert.Equal("body 37 failed", e.Message);
            // The pool still works afterwards.
            int sum = 0;
            Parallelism.For(10, i => Interlocked.Add(ref sum, i));
            Assert.Equal(45, sum);
        });
    }

    [Fact]
    public void NestedLoopsRunInline()
    {
        WithThreads(2, () =>
        {
            int[] hits = new int[8 * 8];
            Parallelism.For(8, i => Parallelism.For(8, j => Interlocked.Increment(ref hits[i * 8 + j])));
            Assert.All(hits, h => Assert.Equal(1, h));
        });
    }

    [Fact]
    public void ConcurrentCallersAllComplete()
    {
        WithThreads(2, () =>
        {
            long total = 0;
            var callers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                for (int round = 0; round < 50; round++)
                    Parallelism.For(64, i => Interlocked.Add(ref total, i));
            })).ToArray();
            Assert.True(Task.WaitAll(callers, TimeSpan.FromSeconds(60)), "concurrent Parallelism.For callers did not finish");
            Assert.Equal(4L * 50 * (63 * 64 / 2), total);
        });
    }

    [Fact]
    public void ThreadCountMustBePositive()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.Threads = 0);
        Assert.Contains("at least 1", e.Message);
    }

    private static void WithThreads(int threads, Action body)
    {
        int saved = Parallelism.Threads;
        Parallelism.Threads = threads;
        try { body(); }
        finally { Parallelism.Threads = saved; }
    }
}
