using Atelier.Training.Trainer;

namespace Atelier.Training.Tests.Trainer;

public class EpochBatchSamplerTests
{
    [Fact]
    public void Epoch_order_is_a_seeded_permutation()
    {
        var a = new EpochBatchSampler(100, 10, seed: 7);
        var b = new EpochBatchSampler(100, 10, seed: 7);
        Assert.Equal(a.EpochOrder(3), b.EpochOrder(3));
        Assert.Equal(Enumerable.Range(0, 100), a.EpochOrder(0).Order());
        Assert.NotEqual(a.EpochOrder(0), a.EpochOrder(1));
        Assert.NotEqual(a.EpochOrder(0), new EpochBatchSampler(100, 10, seed: 8).EpochOrder(0));
    }

    [Fact]
    public void Batches_cover_an_epoch_then_the_remainder_is_skipped()
    {
        var s = new EpochBatchSampler(25, 10, seed: 1);
        int[] first = s.NextBatch(), second = s.NextBatch();
        Assert.Equal(new DataOrderPosition(0, 20), s.Position);
        Assert.Equal(s.EpochOrder(0)[..20], first.Concat(second));
        int[] third = s.NextBatch();
        Assert.Equal(new DataOrderPosition(1, 10), s.Position);
        Assert.Equal(s.EpochOrder(1)[..10], third);
    }

    [Fact]
    public void Restoring_the_position_replays_the_same_batches()
    {
        var s = new EpochBatchSampler(50, 8, seed: 3);
        for (int i = 0; i < 9; i++) s.NextBatch();
        var saved = s.Position;
        int[][] expected = [s.NextBatch(), s.NextBatch(), s.NextBatch()];
        var resumed = new EpochBatchSampler(50, 8, seed: 3) { Position = saved };
        Assert.Equal(expected, [resumed.NextBatch(), resumed.NextBatch(), resumed.NextBatch()]);
    }

    [Fact]
    public void Groups_contribute_at_most_the_cap_per_epoch_and_vary_between_epochs()
    {
        // Items 0–5 are six skin-tone variants of one emoji; 6–29 stand alone.
        string[] groups = Enumerable.Range(0, 30).Select(i => i < 6 ? "hand" : $"item{i}").ToArray();
        var s = new EpochBatchSampler(30, 4, seed: 11, new EpochSamplingOptions { Groups = groups, MaxPerGroup = 2 });
        var seen = new HashSet<int>();
        for (int epoch = 0; epoch < 20; epoch++)
        {
            int[] order = s.EpochOrder(epoch);
            Assert.Equal(26, order.Length);
            Assert.Equal(2, order.Count(i => i < 6));
            Assert.Equal(order.Length, order.Distinct().Count());
            seen.UnionWith(order.Where(i => i < 6));
        }
        Assert.Equal(6, seen.Count);
    }

    [Fact]
    public void Every_batch_mixes_the_sources_in_proportion()
    {
        string[] sources = Enumerable.Range(0, 400).Select(i => i < 200 ? "noto" : i < 300 ? "twemoji" : "fluent").ToArray();
        var s = new EpochBatchSampler(400, 40, seed: 5, new EpochSamplingOptions { Sources = sources });
        for (int b = 0; b < 10; b++)
        {
            int[] batch = s.NextBatch();
            int noto = batch.Count(i => sources[i] == "noto"), twemoji = batch.Count(i => sources[i] == "twemoji");
            Assert.InRange(noto, 18, 22);
            Assert.InRange(twemoji, 8, 12);
        }
        Assert.Equal(Enumerable.Range(0, 400), s.EpochOrder(0).Order());
    }

    [Fact]
    public void Too_small_a_data_set_for_one_batch_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new EpochBatchSampler(5, 8, seed: 1));
        Assert.Throws<ArgumentException>(() => new EpochBatchSampler(5, 2, seed: 1, new EpochSamplingOptions { Groups = ["a"] }));
    }
}
