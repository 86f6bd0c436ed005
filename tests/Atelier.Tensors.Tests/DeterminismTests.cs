using Atelier.Tensors.Kernels;

namespace Atelier.Tensors.Tests;

/// <summary>Results are bit-identical whatever the thread count: work is split by problem size, never by threads.</summary>
public class DeterminismTests
{
    private static float[][] RunAll()
    {
        var x = OpCheck.Rand(1, [2, 64, 24, 24], -2, 2);
        var w = OpCheck.Rand(2, [16, 64, 3, 3], -0.1f, 0.1f);
        var big = OpCheck.Rand(3, [1 << 20]);
        var rows = OpCheck.Rand(4, [512, 1000], -5, 5);
        var tokens = OpCheck.Rand(5, [2, 256, 320]);
        var lw = OpCheck.Rand(6, [128, 320]);
        var q = OpCheck.Rand(7, [1, 2, 128, 40]);
        var results = new List<float[]>
        {
            big.Sum().ToFloatArray(),
            big.Mean().ToFloatArray(),
            rows.Sum(0).ToFloatArray(),
            rows.Sum(1).ToFloatArray(),
            rows.Softmax(-1).ToFloatArray(),
            rows.LogSoftmax(0).ToFloatArray(),
            (big.Gelu() * big + 1f).ToFloatArray(),
            tokens.LayerNorm([320]).ToFloatArray(),
            x.GroupNorm(32).Silu().ToFloatArray(),
            tokens.Linear(lw).ToFloatArray(),
            x.Conv2d(w, null, padding: 1).ToFloatArray(),
            x.UpsampleNearest(2).ToFloatArray(),
            Ops.ScaledDotProductAttention(q, q, q).ToFloatArray(),
            x.Permute(0, 2, 3, 1).Contiguous().ToFloatArray(),
        };
        // A backward pass.
        var p = OpCheck.Rand(8, [32, 320]).RequireGrad();
        var loss = tokens.Linear(p).GroupNorm(2).Gelu().Softmax(-1).Square().Mean();
        loss.Backward();
        results.Add(p.Grad!.ToFloatArray());
        return results.ToArray();
    }

    [Fact]
    public void BitIdenticalForOneTwoAndThreeThreads()
    {
        int saved = Parallelism.Threads;
        try
        {
            Parallelism.Threads = 1;
            var one = RunAll();
            Parallelism.Threads = 2;
            var two = RunAll();
            Parallelism.Threads = 3;
            var three = RunAll();
            for (int i = 0; i < one.Length; i++)
            {
                Assert.True(one[i].AsSpan().SequenceEqual(two[i]), $"result {i} differs between 1 and 2 threads");
                Assert.True(one[i].AsSpan().SequenceEqual(three[i]), $"result {i} differs between 1 and 3 threads");
            }
        }
        finally
        {
            Parallelism.Threads = saved;
        }
    }
}
