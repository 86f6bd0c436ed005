using Atelier.Formats.Checkpoints;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Clip;

/// <summary>
/// The text tower registered as <c>text_model</c> (transformers <c>CLIPTextTransformer</c>): embeddings, the layer
/// stack and the final LayerNorm. Pooling and clip skip are read off its hidden states by <see cref="ClipTextModel"/>.
/// </summary>
public sealed class ClipTextTransformer : Module
{
    public ClipTextTransformer(ClipTextConfig config)
    {
        Embeddings = Add("embeddings", new ClipTextEmbeddings(config));
        Encoder = Add("encoder", new ClipEncoder(config));
        FinalLayerNorm = Add("final_layer_norm", new LayerNorm(config.HiddenSize, (float)config.LayerNormEps));
    }

    public ClipTextEmbeddings Embeddings { get; }
    public ClipEncoder Encoder { get; }
    public LayerNorm FinalLayerNorm { get; }

    /// <summary>
    /// Embeds <paramref name="inputIds"/> and runs the first <paramref name="layers"/> layers; returns the raw hidden
    /// state after them (hidden_states[layers], before the final LayerNorm). When <paramref name="hiddenStates"/> is
    /// given, every hidden state from the embeddings (index 0) onwards is appended to it.
    /// </summary>
    // input_ids [B, N] -> [B, N, D]
    public Tensor HiddenState(Tensor inputIds, int layers, List<Tensor>? hiddenStates = null)
    {
        Tensor x = Embeddings.Forward(inputIds);   // [B, N, D] = hidden_states[0]
        hiddenStates?.Add(x);
        for (int i = 0; i < layers; i++)
        {
            x = Encoder.Layers[i].Forward(x);       // [B, N, D] = hidden_states[i + 1]
            hiddenStates?.Add(x);
        }
        return x;
    }
}
