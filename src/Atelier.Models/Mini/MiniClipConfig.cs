using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atelier.Models.Mini;

/// <summary>
/// Shape of CLIP-mini, the contrastive image/caption encoders of Atelier's default model (design doc, stage 1).
/// Stored next to the weights as <c>clip.json</c> (snake_case keys). The defaults are the shipped model.
/// </summary>
public sealed record MiniClipConfig
{
    /// <summary>Token count of the model's BPE (models/atelier-mini/tokenizer).</summary>
    public int VocabSize { get; init; } = 4096;

    /// <summary>Positions of the text tower (tokenizer model_max_length).</summary>
    public int ContextLength { get; init; } = 32;

    public int TextWidth { get; init; } = 256;
    public int TextLayers { get; init; } = 4;
    public int TextHeads { get; init; } = 4;

    /// <summary><c>resnet</c> (stem + 4 strided stages, global pool) or <c>vit</c> (patches + transformer, CLS token).</summary>
    public string ImageTower { get; init; } = MiniClipImageTowers.ResNet;

    public int ImageSize { get; init; } = 64;

    /// <summary>ResNet: channels of the stem and of the four stages (each halves the resolution).</summary>
    public int[] ResNetWidths { get; init; } = [32, 32, 64, 128, 256];

    /// <summary>ResNet: residual blocks per stage (the first of each stage has stride 2).</summary>
    public int[] ResNetDepths { get; init; } = [1, 1, 1, 1];

    /// <summary>ResNet: GroupNorm groups.</summary>
    public int ResNetGroups { get; init; } = 8;

    public int PatchSize { get; init; } = 8;
    public int VisionWidth { get; init; } = 256;
    public int VisionLayers { get; init; } = 4;
    public int VisionHeads { get; init; } = 4;

    /// <summary>MLP hidden size over width in both transformers.</summary>
    public int MlpRatio { get; init; } = 4;

    /// <summary>Dimension of the joint embedding space.</summary>
    public int EmbedDim { get; init; } = 256;

    /// <summary>Initial temperature 1/τ (CLIP: 1/0.07), stored as its logarithm.</summary>
    public float LogitScaleInit { get; init; } = 1f / 0.07f;

    /// <summary>Largest 1/τ (CLIP clips at 100 "to prevent training instability").</summary>
    public float LogitScaleMax { get; init; } = 100f;

    /// <summary>The shipped CLIP-mini with the ResNet image tower.</summary>
    public static MiniClipConfig Default { get; } = new();

    /// <summary>The ViT alternative of the design doc (patch 8 → 64 tokens + CLS, width 256, 4 layers).</summary>
    public static MiniClipConfig VisionTransformer { get; } = new() { ImageTower = MiniClipImageTowers.Vit };

    /// <summary>A few-thousand-parameter model for tests (16x16 images, 8-token context).</summary>
    public static MiniClipConfig Tiny(string imageTower = MiniClipImageTowers.ResNet) => new()
    {
        VocabSize = 64, ContextLength = 8, TextWidth = 32, TextLayers = 2, TextHeads = 2,
        ImageTower = imageTower, ImageSize = 16, ResNetWidths = [8, 8, 16, 16, 32], ResNetDepths = [1, 1, 1, 1], ResNetGroups = 4,
        PatchSize = 4, VisionWidth = 32, VisionLayers = 2, VisionHeads = 2, MlpRatio = 2, EmbedDim = 16,
    };

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Parses <c>clip.json</c>; unknown keys are an error (a typo would silently change the model).</summary>
    public static MiniClipConfig FromJson(string json, string origin)
    {
        MiniClipConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<MiniClipConfig>(json, s_json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{origin}: not a CLIP-mini config: {e.Message}", e);
        }
        if (config is null) throw new InvalidDataException($"{origin}: the config is empty (null).");
        config.Validate(origin);
        return config;
    }

    /// <summary>Checks that the numbers describe a buildable model; the message names the field.</summary>
    public void Validate(string origin = "MiniClipConfig")
    {
        void Require(bool ok, string field, string problem)
        {
            if (!ok) throw new InvalidDataException($"{origin}: {field} {problem}.");
        }
        Require(VocabSize >= 3, "vocab_size", $"is {VocabSize}; need at least 3 (bos, eos and one token)");
        Require(ContextLength >= 3, "context_length", $"is {ContextLength}; need at least 3");
        Require(TextWidth > 0 && TextHeads > 0 && TextWidth % TextHeads == 0, "text_width/text_heads", $"({TextWidth}/{TextHeads}) must be positive with the width a multiple of the heads");
        Require(TextLayers > 0, "text_layers", "must be positive");
        Require(EmbedDim > 0 && MlpRatio > 0, "embed_dim/mlp_ratio", "must be positive");
        Require(LogitScaleInit > 0 && LogitScaleMax >= LogitScaleInit, "logit_scale_init/logit_scale_max", $"({LogitScaleInit}/{LogitScaleMax}) need 0 < init ≤ max");
        Require(ImageTower is MiniClipImageTowers.ResNet or MiniClipImageTowers.Vit, "image_tower", $"is '{ImageTower}'; expected '{MiniClipImageTowers.ResNet}' or '{MiniClipImageTowers.Vit}'");
        if (ImageTower == MiniClipImageTowers.ResNet)
        {
            Require(ResNetWidths.Length == 5 && ResNetWidths.All(w => w > 0 && w % ResNetGroups == 0), "resnet_widths", $"[{string.Join(", ", ResNetWidths)}] must be 5 positive multiples of resnet_groups ({ResNetGroups})");
            Require(ResNetDepths.Length == 4 && ResNetDepths.All(d => d > 0), "resnet_depths", $"[{string.Join(", ", ResNetDepths)}] must be 4 positive counts");
            Require(ImageSize % 16 == 0, "image_size", $"is {ImageSize}; four stride-2 stages need a multiple of 16");
        }
        else
        {
            Require(PatchSize > 0 && ImageSize % PatchSize == 0, "patch_size", $"{PatchSize} must divide image_size {ImageSize}");
            Require(VisionWidth > 0 && VisionHeads > 0 && VisionWidth % VisionHeads == 0, "vision_width/vision_heads", $"({VisionWidth}/{VisionHeads}) must be positive with the width a multiple of the heads");
            Require(VisionLayers > 0, "vision_layers", "must be positive");
        }
    }
}
