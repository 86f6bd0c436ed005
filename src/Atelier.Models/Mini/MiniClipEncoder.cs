using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// <see cref="IMiniClipEncoder"/> over the trained <see cref="MiniClip"/>: token states are its last hidden states
/// padded to the context length (positions after EOS zeroed), embeddings its normalised projections.
/// </summary>
public sealed class MiniClipEncoder : IMiniClipEncoder
{
    public MiniClipEncoder(MiniClip clip) => Model = clip ?? throw new ArgumentNullException(nameof(clip));

    /// <summary>
    /// Loads <c>clip.json</c>, <c>clip.safetensors</c> and <c>tokenizer/</c> from <paramref name="modelDir"/>, widening
    /// F16 weights to F32 once (the encoders then run on F32 kernels, as the other stages).
    /// </summary>
    public static MiniClipEncoder Load(string modelDir)
    {
        MiniClip clip = MiniClip.Load(modelDir);
        foreach (var parameter in clip.Parameters())
            parameter.Value = parameter.Value.Cast(DType.F32).Contiguous();
        return new MiniClipEncoder(clip);
    }

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
