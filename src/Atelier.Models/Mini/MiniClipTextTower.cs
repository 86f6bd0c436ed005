using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// CLIP-mini's text encoder (Radford et al. 2021, §2.4: a causal transformer, "the activations of the highest layer
/// of the transformer at the [EOS] token are treated as the feature representation of the text", layer-normalised
/// and linearly projected into the joint space). Token + learned position embeddings, pre-LN layers, final LN.
/// </summary>
public sealed class MiniClipTextTower : Module
{
    public MiniClipTextTower(MiniClipConfig config)
    {
        Config = config;
        TokenEmbedding = Add("token_embedding", new Embedding(config.VocabSize, config.TextWidth));
        PositionEmbedding = Add("position_embedding", new Embedding(config.ContextLength, config.TextWidth));
        Layers = Add("layers", new ModuleList<MiniTransformerBlock>(
            Enumerable.Range(0, config.TextLayers).Select(_ => new MiniTransformerBlock(config.TextWidth, config.TextHeads, config.MlpRatio, causal: true))));
        FinalLayerNorm = Add("final_layer_norm", new LayerNorm(config.TextWidth));
        TextProjection = Add("text_projection", new Linear(config.TextWidth, config.EmbedDim, bias: false));
    }

    public MiniClipConfig Config { get; }
    public Embedding TokenEmbedding { get; }
    public Embedding PositionEmbedding { get; }
    public ModuleList<MiniTransformerBlock> Layers { get; }
    public LayerNorm FinalLayerNorm { get; }
    public Linear TextProjection { get; }

    /// <summary>
    /// Encodes token ids [B, T] (T ≤ context length; with a causal mask the positions after a caption's EOS do not
    /// change it, so a batch may be cut after its longest caption). <paramref name="eosPositions"/>[b] is the index
    /// of caption b's EOS token.
    /// </summary>
    public MiniClipTextOutput Forward(Tensor inputIds, IReadOnlyList<int> eosPositions)
    {
        int b = inputIds.Shape[0], t = inputIds.Shape[1], d = Config.TextWidth;
        if (inputIds.Rank != 2 || t > Config.ContextLength || t < 1)
            throw new TensorShapeException("mini_clip_text", $"input ids {inputIds.Shape}", $"[B, T] with 1 ≤ T ≤ {Config.ContextLength}");
        if (eosPositions.Count != b || eosPositions.Any(p => p < 0 || p >= t))
            throw new TensorShapeException("mini_clip_text", $"{eosPositions.Count} EOS positions ({string.Join(", ", eosPositions.Take(8))}…) for ids {inputIds.Shape}", $"{b} positions in [0, {t})");

        Tensor positions = Tensor.Arange(t, DType.I64);                               // [T]
        Tensor h = TokenEmbedding.Forward(inputIds) + PositionEmbedding.Forward(positions); // [B, T, D]
        foreach (var layer in Layers)
            h = layer.Forward(h);                                                     // [B, T, D]
        h = FinalLayerNorm.Forward(h);                                                // [B, T, D]

        var rows = new long[b];
        for (int i = 0; i < b; i++) rows[i] = (long)i * t + eosPositions[i];
        Tensor pooled = Ops.Embedding(Tensor.FromArray(rows, [b]), h.Reshape(b * t, d)); // [B, D]: h[b, eos_b]
        return new MiniClipTextOutput(h, pooled, TextProjection.Forward(pooled));     // projection [B, E]
    }

    internal void InitializeLikeClip(TorchGenerator generator)
    {
        Init.Normal(TokenEmbedding.Weight, generator, 0, 0.02);
        Init.Normal(PositionEmbedding.Weight, generator, 0, 0.01);
        foreach (var layer in Layers)
            layer.InitializeLikeClip(generator, Config.TextWidth, Config.TextLayers);
        Init.Normal(TextProjection.Weight, generator, 0, Math.Pow(Config.TextWidth, -0.5));
    }
}
