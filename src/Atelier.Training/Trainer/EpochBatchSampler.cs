using Atelier.Tensors;

namespace Atelier.Training.Trainer;

/// <summary>
/// The seeded data order: each epoch is a fresh arrangement of item indices, cut into full batches (a remainder
/// smaller than a batch is left for no one; the next epoch starts a new order). An epoch's order depends only on
/// the seed and the epoch number, so the sampler's whole state is its <see cref="Position"/> — which is what a
/// checkpoint stores to resume the exact sequence of batches.
/// </summary>
/// <remarks>
/// Two optional rules shape an epoch (<see cref="EpochSamplingOptions"/>): items sharing a group key (e.g. the
/// skin-tone variants of one emoji in one style) contribute at most <c>MaxPerGroup</c> randomly chosen members per
/// epoch, and items are spread so that every batch mixes sources in proportion (a stratified shuffle: each
/// source's items are shuffled and placed at evenly spaced, jittered positions).
/// </remarks>
public sealed class EpochBatchSampler
{
    private readonly int _count;
    private readonly ulong _seed;
    private readonly EpochSamplingOptions _options;
    private readonly int[][] _groups;
    private readonly int[] _sourceOf;
    private readonly int _sourceCount;
    private long _cachedEpoch = -1;
    private int[] _cachedOrder = [];

    public EpochBatchSampler(int count, int batchSize, ulong seed, EpochSamplingOptions? options = null)
    {
        _options = options ?? new EpochSamplingOptions();
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "data order: the data set is empty.");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "data order: the batch size must be positive.");
        if (_options.Groups is { } g && g.Count != count)
            throw new ArgumentException($"data order: {g.Count} group keys for {count} items.", nameof(options));
        if (_options.Sources is { } s && s.Count != count)
            throw new ArgumentException($"data order: {s.Count} source names for {count} items.", nameof(options));
        if (_options.MaxPerGroup <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxPerGroup, "data order: MaxPerGroup must be positive.");
        _count = count;
        _seed = seed;
        BatchSize = batchSize;
        _groups = BuildGroups(count, _options.Groups);
        (_sourceOf, _sourceCount) = IndexSources(count, _options.Sources);
        if (EpochOrder(0).Length < batchSize)
            throw new ArgumentException($"data order: an epoch holds {EpochOrder(0).Length} items, fewer than one batch of {batchSize}.", nameof(batchSize));
    }

    public int BatchSize { get; }

    /// <summary>The epoch and offset of the next batch; settable to resume.</summary>
    public DataOrderPosition Position { get; set; }

    /// <summary>Full batches per epoch.</summary>
    public int BatchesPerEpoch => EpochOrder(0).Length / BatchSize;

    /// <summary>The indices of the next batch; advances <see cref="Position"/>, moving to the next epoch when needed.</summary>
    public int[] NextBatch()
    {
        var (epoch, offset) = Position;
        int[] order = EpochOrder(epoch);
        if (offset + BatchSize > order.Length)
        {
            epoch++;
            offset = 0;
            order = EpochOrder(epoch);
        }
        int[] batch = order.AsSpan(offset, BatchSize).ToArray();
        Position = new DataOrderPosition(epoch, offset + BatchSize);
        return batch;
    }

    /// <summary>The arrangement of item indices for <paramref name="epoch"/> (deterministic in seed and epoch).</summary>
    public int[] EpochOrder(long epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "data order: negative epoch.");
        if (epoch == _cachedEpoch) return _cachedOrder;
        var generator = new TorchGenerator(Mix(_seed, (ulong)epoch));
        var chosen = new List<int>(_count);
        foreach (int[] members in _groups)
        {
            if (members.Length <= _options.MaxPerGroup)
            {
                chosen.AddRange(members);
                continue;
            }
            long[] pick = generator.Randperm(members.Length);
            for (int i = 0; i < _options.MaxPerGroup; i++)
                chosen.Add(members[pick[i]]);
        }
        chosen.Sort();
        _cachedOrder = _sourceCount > 1 ? Stratified(chosen, generator) : Shuffled(chosen, generator);
        _cachedEpoch = epoch;
        return _cachedOrder;
    }

    private static int[] Shuffled(List<int> items, TorchGenerator generator)
    {
        long[] perm = generator.Randperm(items.Count);
        var result = new int[items.Count];
        for (int i = 0; i < result.Length; i++) result[i] = items[(int)perm[i]];
        return result;
    }

    // Each source's items, shuffled, sit at positions (j + u)/n of the epoch (u uniform in [0,1)): sorting by
    // position interleaves the sources in proportion everywhere in the epoch, so every batch mixes them.
    private int[] Stratified(List<int> items, TorchGenerator generator)
    {
        var bySource = new List<int>[_sourceCount];
        for (int s = 0; s < _sourceCount; s++) bySource[s] = [];
        foreach (int i in items) bySource[_sourceOf[i]].Add(i);
        var placed = new List<(double Key, int Source, int Item)>(items.Count);
        for (int s = 0; s < _sourceCount; s++)
        {
            int[] shuffled = Shuffled(bySource[s], generator);
            var jitter = new double[shuffled.Length];
            generator.Rand(jitter);
            for (int j = 0; j < shuffled.Length; j++)
                placed.Add(((j + jitter[j]) / shuffled.Length, s, shuffled[j]));
        }
        placed.Sort((a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : a.Source.CompareTo(b.Source));
        return placed.Select(p => p.Item).ToArray();
    }

    private static int[][] BuildGroups(int count, IReadOnlyList<string>? keys)
    {
        if (keys is null) return Enumerable.Range(0, count).Select(i => new[] { i }).ToArray();
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var order = new List<List<int>>();
        for (int i = 0; i < count; i++)
        {
            if (!groups.TryGetValue(keys[i], out var members))
            {
                groups[keys[i]] = members = [];
                order.Add(members);
            }
            members.Add(i);
        }
        return order.Select(m => m.ToArray()).ToArray();
    }

    private static (int[] SourceOf, int Count) IndexSources(int count, IReadOnlyList<string>? sources)
    {
        var sourceOf = new int[count];
        if (sources is null) return (sourceOf, 1);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            if (!ids.TryGetValue(sources[i], out int id)) ids[sources[i]] = id = ids.Count;
            sourceOf[i] = id;
        }
        return (sourceOf, ids.Count);
    }

    // SplitMix64 finaliser of (seed, epoch): unrelated generator seeds for neighbouring epochs.
    private static ulong Mix(ulong seed, ulong epoch)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL * (epoch + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
