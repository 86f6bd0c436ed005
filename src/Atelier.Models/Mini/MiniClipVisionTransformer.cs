using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// CLIP-mini's transformer image tower (Dosovitskiy et al. 2021, ViT; CLIP's VisionTransformer): non-overlapping
/// P×P patches linearly embedded by a strided conv (no bias), a learned class token and position embeddings, a
/// pre-LN before the transformer ("we add an additional layer normalization to the combined patch and position
/// embeddings", CLIP §2.4), full attention, LN of the class token, linear projection.
/// </summary>
public sealed class MiniClipVisionTransformer : MiniClipImageTower
{
    public MiniClipVisionTransformer(MiniClipConfig config)
    {
        Config = config;
        int width = config.VisionWidth;
        Tokens = (config.ImageSize / config.PatchSize) * (config.ImageSize / config.PatchSize) + 1;
        PatchEmbedding = Add("patch_embedding", new Conv2d(3, width, config.PatchSize, config.PatchSize, bias: false));
        ClassEmbedding = AddParameter("class_embedding", [width]);
        PositionEmbedding = AddParameter("position_embedding", [Tokens, width]);
        PreLayerNorm = Add("pre_layer_norm", new LayerNorm(width));
        Layers = Add("layers", new ModuleList<MiniTransformerBlock>(
            Enumerable.Range(0, config.VisionLayers).Select(_ => new MiniTransformerBlock(width, config.VisionHeads, config.MlpRatio, causal: false))));
        PostLayerNorm = Add("post_layer_norm", new LayerNorm(width));
        Projection = Add("projection", new Linear(width, config.EmbedDim, bias: false));
    }

    public MiniClipConfig Config { get; }

    /// <summary>Patches + 1 class token.</summary>
    public int Tokens { get; }
    public Conv2d PatchEmbedding { get; }
    public Parameter ClassEmbedding { get; }
    public Parameter PositionEmbedding { get; }
    public LayerNorm PreLayerNorm { get; }
    public ModuleList<MiniTransformerBlock> Layers { get; }
    public LayerNorm PostLayerNorm { get; }
    public Linear Projection { get; }

    // images [B, 3, S, S] -> [B, E]
    public override Tensor Forward(Tensor images)
    {
        RequireImages(images, Config.ImageSize);
        int b = images.Shape[0], width = Config.VisionWidth;
        Tensor patches = PatchEmbedding.Forward(images);                          // [B, W, S/P, S/P]
        patches = patches.Flatten(2).Transpose(1, 2);                              // [B, N, W]
        Tensor cls = ClassEmbedding.Value.Reshape(1, 1, width).Expand(b, 1, width); // [B, 1, W]
        Tensor h = Ops.Concat([cls, patches], 1) + PositionEmbedding.Value;       // [B, N+1, W]
        h = PreLayerNorm.Forward(h);
        foreach (var layer in Layers)
            h = layer.Forward(h);                                                  // [B, N+1, W]
        Tensor pooled = PostLayerNorm.Forward(h.Select(1, 0));                     // [B, W]
        return Projection.Forward(pooled);                                         // [B, E]
    }

    public override long ForwardFlopsPerImage
    {
        get
        {
            int w = Config.VisionWidth, n = Tokens;
            long patch = 2L * (n - 1) * w * 3 * Config.PatchSize * Config.PatchSize;
            long perLayer = 2L * n * w * w * (4 + 2 * Config.MlpRatio) + 2L * 2 * n * n * w;   // projections + MLP + QKᵀ and AV
            return patch + Config.VisionLayers * perLayer + 2L * w * Config.EmbedDim;
        }
    }

    internal override void InitializeLikeClip(TorchGenerator generator)
    {
        double scale = Math.Pow(Config.VisionWidth, -0.5);
        Init.Normal(ClassEmbedding, generator, 0, scale);
        Init.Normal(PositionEmbedding, generator, 0, scale);
        foreach (var layer in Layers)
            layer.InitializeLikeClip(generator, Config.VisionWidth, Config.VisionLayers);
        Init.Normal(Projection.Weight, generator, 0, scale);
    }
}
