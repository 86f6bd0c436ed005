using Atelier.Formats.Checkpoints;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Clip;

/// <summary>
/// Token embedding plus learned absolute position embedding (transformers <c>CLIPTextEmbeddings</c>). Positions are
/// always 0..N-1: a checkpoint's <c>position_ids</c> buffer is never read (gotcha G31).
/// </summary>
public sealed class ClipTextEmbeddings : Module
{
    public ClipTextEmbeddings(ClipTextConfig config)
    {
        TokenEmbedding = Add("token_embedding", new Embedding(config.VocabSize, config.HiddenSize));
        PositionEmbedding = Add("position_embedding", new Embedding(config.MaxPositionEmbeddings, config.HiddenSize));
    }

    public Embedding TokenEmbedding { get; }
    public Embedding PositionEmbedding { get; }

    // input_ids [B, N] -> [B, N, D]
    public Tensor Forward(Tensor inputIds)
    {
        int n = inputIds.Shape[1];
        Tensor tokens = TokenEmbedding.Forward(inputIds);                 // [B, N, D]
        Tensor positions = PositionEmbedding.Weight.Value.Narrow(0, 0, n); // [N, D] = position_embedding(arange(N))
        return tokens + positions;                                        // [B, N, D]
    }
}
