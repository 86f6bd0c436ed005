using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// Caption → image retrieval of CLIP-mini on a set of matching pairs (row i of both matrices is pair i): top-1 and
/// top-5 among all images, and top-1 among 10 (the true image and 9 others drawn with a fixed seed — the design's
/// evaluation metric; chance 10 %; among all when there are fewer than 10 pairs). Pairs with the same caption (the same concept in several skin tones is captioned
/// differently, but duplicates can occur) count as correct when the retrieved image has the same caption.
/// </summary>
public static class MiniClipRetrieval
{
    public sealed record Result(int Count, double Top1, double Top5, double Top1Among10);

    /// <param name="imageEmbeddings">[N, E], L2-normalised.</param>
    /// <param name="textEmbeddings">[N, E], L2-normalised.</param>
    /// <param name="captions">The N captions (identical captions are interchangeable targets).</param>
    public static Result Measure(Tensor imageEmbeddings, Tensor textEmbeddings, IReadOnlyList<string> captions, ulong seed = 0)
    {
        if (imageEmbeddings.Rank != 2 || textEmbeddings.Shape != imageEmbeddings.Shape || captions.Count != imageEmbeddings.Shape[0])
            throw new TensorShapeException("clip_retrieval", $"images {imageEmbeddings.Shape}, texts {textEmbeddings.Shape}, {captions.Count} captions", "[N, E] and [N, E] with N captions");
        int n = imageEmbeddings.Shape[0];
        if (n < 2) throw new ArgumentException($"clip retrieval: {n} pairs; retrieval needs at least 2.", nameof(captions));
        int distractors = Math.Min(9, n - 1);
        float[] similarity;
        using (Autograd.NoGrad())
            similarity = textEmbeddings.MatMul(imageEmbeddings.Transpose(0, 1)).ToFloatArray();   // [N texts, N images]
        var generator = new TorchGenerator(seed);
        int top1 = 0, top5 = 0, among10 = 0;
        for (int t = 0; t < n; t++)
        {
            ReadOnlySpan<float> row = similarity.AsSpan(t * n, n);
            float target = row[t];
            int better = 0;
            for (int i = 0; i < n; i++)
                if (row[i] > target && captions[i] != captions[t]) better++;
            if (better == 0) top1++;
            if (better < 5) top5++;
            long[] order = generator.Randperm(n);
            int drawn = 0;
            bool beaten = false;
            foreach (long candidate in order)
            {
                if (candidate == t) continue;
                if (row[(int)candidate] > target && captions[(int)candidate] != captions[t]) beaten = true;
                if (++drawn == distractors) break;
            }
            if (!beaten) among10++;
        }
        return new Result(n, (double)top1 / n, (double)top5 / n, (double)among10 / n);
    }
}
