using Atelier.Tensors;

namespace Atelier.Training.Pipeline;

/// <summary>
/// Training captions (design: "the manifest caption, optionally with a random subset of tags appended"): with
/// probability <see cref="Probability"/>, 1 to <see cref="MaxExtraTags"/> of the row's tags that the caption does not
/// already name are appended, comma-separated, in random order. Evaluation uses the manifest caption as is.
/// Draws from the run's generator: one uniform, then (when appending) one more plus a permutation.
/// </summary>
public sealed class CaptionAugmentation
{
    public CaptionAugmentation(float probability = 0.5f, int maxExtraTags = 3)
    {
        if (!(probability >= 0 && probability <= 1)) throw new ArgumentOutOfRangeException(nameof(probability), probability, "must be in [0, 1].");
        if (maxExtraTags < 1) throw new ArgumentOutOfRangeException(nameof(maxExtraTags), maxExtraTags, "must be at least 1.");
        Probability = probability;
        MaxExtraTags = maxExtraTags;
    }

    public float Probability { get; }
    public int MaxExtraTags { get; }

    public string Augment(string caption, IReadOnlyList<string> tags, TorchGenerator generator)
    {
        Span<float> u = stackalloc float[1];
        generator.Rand(u);
        if (u[0] >= Probability) return caption;
        var named = caption.Split(", ").ToHashSet(StringComparer.Ordinal);
        string[] candidates = tags.Where(t => t.Length > 0 && !named.Contains(t)).Distinct(StringComparer.Ordinal).ToArray();
        if (candidates.Length == 0) return caption;
        generator.Rand(u);
        int count = 1 + Math.Min((int)(u[0] * MaxExtraTags), MaxExtraTags - 1);
        long[] order = generator.Randperm(candidates.Length);
        var extra = order.Take(Math.Min(count, candidates.Length)).Select(i => candidates[i]);
        return caption + ", " + string.Join(", ", extra);
    }
}
