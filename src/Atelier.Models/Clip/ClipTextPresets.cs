using Atelier.Formats.Checkpoints;

namespace Atelier.Models.Clip;

/// <summary>
/// The CLIP text towers Stable Diffusion uses, as <see cref="ClipTextConfig"/> values (the record that reads
/// <c>text_encoder/config.json</c> lives in Atelier.Formats; single files get theirs inferred from tensor shapes).
/// </summary>
public static class ClipTextPresets
{
    /// <summary>
    /// SD 1.x: openai/clip-vit-large-patch14's text tower as shipped in <c>runwayml/stable-diffusion-v1-5/text_encoder</c>
    /// (768 wide, 12 layers, 12 heads of 64, quick_gelu; eos_token_id 2 selects the legacy argmax pooling, gotcha G6).
    /// </summary>
    public static ClipTextConfig Sd15 { get; } = new()
    {
        HiddenSize = 768,
        IntermediateSize = 3072,
        ProjectionDim = 768,
        NumHiddenLayers = 12,
        NumAttentionHeads = 12,
        HiddenAct = "quick_gelu",
        PadTokenId = 1,
        BosTokenId = 0,
        EosTokenId = 2,
        Architectures = new[] { "CLIPTextModel" },
    };

    /// <summary>
    /// SD 2.x: the OpenCLIP ViT-H/14 text tower converted to transformers layout, as in
    /// <c>stabilityai/stable-diffusion-2-1/text_encoder</c> (1024 wide, 16 heads, exact GELU, and 23 of its 24 layers:
    /// SD 2 conditions on the penultimate layer, so the last one is not shipped; gotcha G7).
    /// </summary>
    public static ClipTextConfig Sd2 { get; } = new()
    {
        HiddenSize = 1024,
        IntermediateSize = 4096,
        ProjectionDim = 512,
        NumHiddenLayers = 23,
        NumAttentionHeads = 16,
        HiddenAct = "gelu",
        PadTokenId = 1,
        BosTokenId = 0,
        EosTokenId = 2,
        Architectures = new[] { "CLIPTextModel" },
    };

    /// <summary>The test fixture's tower (<c>reference/tiny-sd/text_encoder</c>): 32 wide, 5 layers, 4 heads, intermediate 37.</summary>
    public static ClipTextConfig Tiny { get; } = new()
    {
        HiddenSize = 32,
        IntermediateSize = 37,
        ProjectionDim = 32,
        NumHiddenLayers = 5,
        NumAttentionHeads = 4,
        HiddenAct = "quick_gelu",
        PadTokenId = 1,
        BosTokenId = 0,
        EosTokenId = 2,
        Architectures = new[] { "CLIPTextModel" },
    };
}
