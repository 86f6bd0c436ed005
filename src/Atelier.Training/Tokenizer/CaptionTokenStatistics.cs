using Atelier.Formats.Tokenizers;
using Atelier.Training.Data;

namespace Atelier.Training.Tokenizer;

/// <summary>
/// Token lengths (bos + tokens + eos) of the data set's captions under a tokenizer: the longest manifest caption,
/// the longest with <c>n</c> extra tags appended (the worst case of caption augmentation: the n longest tags the
/// caption does not name), and the 99th percentile. The suggested context length is the design's 32 when the
/// longest plain caption fits, else the next multiple of 8 that holds it.
/// </summary>
public sealed record CaptionTokenStatistics(
    int Captions,
    int LongestCaption,
    string LongestCaptionText,
    int Percentile99,
    int LongestAugmented,
    int AugmentedOver32,
    int SuggestedContextLength)
{
    public static CaptionTokenStatistics Measure(ClipTokenizer tokenizer, IReadOnlyList<ManifestRow> rows, int augmentationTags)
    {
        var lengths = new int[rows.Count];
        int longestAugmented = 0, over32 = 0, longestIndex = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            ManifestRow r = rows[i];
            lengths[i] = tokenizer.Encode(r.Caption).Length + 2;
            if (lengths[i] > lengths[longestIndex]) longestIndex = i;
            var named = r.Caption.Split(", ").ToHashSet(StringComparer.Ordinal);
            var extra = r.Tags.Where(t => !named.Contains(t)).Distinct().OrderByDescending(t => tokenizer.Encode(t).Length).Take(augmentationTags);
            int augmented = tokenizer.Encode(string.Join(", ", extra.Prepend(r.Caption))).Length + 2;
            longestAugmented = Math.Max(longestAugmented, augmented);
            if (augmented > 32) over32++;
        }
        int[] sorted = lengths.Order().ToArray();
        int longest = sorted.Length == 0 ? 2 : sorted[^1];
        int suggested = longest <= 32 ? 32 : (longest + 7) / 8 * 8;
        return new CaptionTokenStatistics(rows.Count, longest, rows.Count == 0 ? "" : rows[longestIndex].Caption,
            sorted.Length == 0 ? 2 : sorted[(int)(0.99 * (sorted.Length - 1))], longestAugmented, over32, suggested);
    }
}
