using Atelier.Models.Mini;
using Atelier.Tensors;

namespace Atelier.Models.Tests.Mini;

/// <summary>
/// A stand-in for CLIP-mini in pipeline tests: text → a seeded per-character code, images → a fixed random projection
/// of their 8x8 average-pooled pixels; both L2-normalised. Deterministic, different inputs give different outputs.
/// </summary>
internal sealed class FakeClipEncoder : IMiniClipEncoder
{
    private readonly float[] _projection;

    public FakeClipEncoder(int embeddingDim, int tokens, int textWidth)
    {
        EmbeddingDim = embeddingDim;
        Tokens = tokens;
        TextWidth = textWidth;
        _projection = new TorchGenerator(11).Randn(embeddingDim, 3 * 8 * 8);
    }

    public int EmbeddingDim { get; }
    public int Tokens { get; }
    public int TextWidth { get; }

    public (Tensor States, Tensor Embeddings) EncodeText(IReadOnlyList<string> captions)
    {
        var states = new float[captions.Count * Tokens * TextWidth];
        var embeddings = new float[captions.Count * EmbeddingDim];
        for (int b = 0; b < captions.Count; b++)
        {
            ulong seed = 17;
            foreach (char c in captions[b]) seed = seed * 31 + c;
            var g = new TorchGenerator(seed);
            g.Randn(states.AsSpan(b * Tokens * TextWidth, Tokens * TextWidth));
            g.Randn(embeddings.AsSpan(b * EmbeddingDim, EmbeddingDim));
        }
        return (Tensor.FromArray(states, [captions.Count, Tokens, TextWidth]),
            MiniPriorSampling.Normalize(Tensor.FromArray(embeddings, [captions.Count, EmbeddingDim])));
    }

    public Tensor EncodeImages(Tensor images)
    {
        int b = images.Shape[0];
        Tensor pooled = images.Reshape(b, 3, 8, 8, 8, 8).Mean([3, 5]).Reshape(b, 3 * 8 * 8);   // [B, 192]
        Tensor projection = Tensor.FromArray(_projection, [EmbeddingDim, 3 * 8 * 8]);
        return MiniPriorSampling.Normalize(pooled.MatMul(projection.Transpose(0, 1)));
    }
}
