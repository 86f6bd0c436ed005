using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>What the atelier-mini pipeline needs from the frozen CLIP-mini model.</summary>
public interface IMiniClipEncoder
{
    /// <summary>Width of the joint embedding space.</summary>
    int EmbeddingDim { get; }

    /// <summary>
    /// Token states [B, L, T] (the text tower's last hidden state, the decoder's context) and unit text embeddings
    /// [B, D] of <paramref name="captions"/> (the empty string is the unconditional caption).
    /// </summary>
    (Tensor States, Tensor Embeddings) EncodeText(IReadOnlyList<string> captions);

    /// <summary>Unit image embeddings [B, D] of 64x64 RGB images [B, 3, 64, 64] in [−1, 1] (composited on white).</summary>
    Tensor EncodeImages(Tensor images);
}
