using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// <see cref="IMiniClipEncoder"/> over the trained <see cref="MiniClip"/>: token states are its last hidden states
/// padded to the context length (positions after EOS zeroed), embeddings its normalised projections.
/// </summary>
public sealed class MiniClipEncoder : IMiniClipEncoder
{
    public MiniClipEncoder(MiniClip clip) => Model = clip ?? throw new ArgumentNullException(nameof(clip));

    /// <summary>Loads <c>clip.json</c>, <c>clip.safetensors</c> and <c>tokenizer/</c> from <paramref name="modelDir"/>.</summary>
    public static MiniClipEncoder Load(string modelDir) => new(MiniClip.Load(modelDir));

    public MiniClip Model { get; }

    public int EmbeddingDim => Model.Config.EmbedDim;

    /// <summary>Context tokens per caption (the decoder's caption context length).</summary>
    public int Tokens => Model.Config.ContextLength;

    public int TextWidth => Model.Config.TextWidth;

    public (Tensor States, Tensor Embeddings) EncodeText(IReadOnlyList<string> captions)
    {
        var (pooled, tokens, _) = Model.EncodeText(captions);
        return (tokens, pooled);                                         // [B, L, T], [B, D]
    }

    public Tensor EncodeImages(Tensor images) => Model.EncodeImages(images);   // [B, D]
}
