using Atelier.Formats.Checkpoints;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

/// <summary>
/// Configs of the common UNets (values of their published <c>unet/config.json</c>; fields not listed keep diffusers'
/// defaults, see <see cref="UNet2DConditionConfig"/>) and inference of a config from diffusers-named weights.
/// Reading <c>config.json</c> itself is Formats' job (<see cref="UNet2DConditionConfig.Load"/>).
/// </summary>
public static class UNet2DConditionPresets
{
    /// <summary>Stable Diffusion 1.x (runwayml/stable-diffusion-v1-5): 4 levels 320..1280, 8 heads everywhere, CLIP ViT-L/14 text (768), 859,520,964 weights.</summary>
    public static UNet2DConditionConfig Sd15 { get; } = new()
    {
        SampleSize = 64,
        BlockOutChannels = new[] { 320, 640, 1280, 1280 },
        DownBlockTypes = new[] { "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D" },
        UpBlockTypes = new[] { "UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D" },
        LayersPerBlock = 2,
        CrossAttentionDim = 768,
        AttentionHeadDim = 8,
    };

    /// <summary>
    /// Stable Diffusion 2.x (stabilityai/stable-diffusion-2-1, 768-v): OpenCLIP ViT-H text (1024), heads of width 64
    /// ([5, 10, 20, 20]), linear proj_in/proj_out, upcast_attention (moot here: attention is always float32).
    /// </summary>
    public static UNet2DConditionConfig Sd2 { get; } = Sd15 with
    {
        SampleSize = 96,
        CrossAttentionDim = 1024,
        AttentionHeadDim = IntOrList.Of(5, 10, 20, 20),
        UseLinearProjection = true,
        UpcastAttention = true,
    };

    /// <summary>Stable Diffusion 2 inpainting (stabilityai/stable-diffusion-2-inpainting): SD 2 with 9 input channels (G17), 512 px.</summary>
    public static UNet2DConditionConfig Sd2Inpaint { get; } = Sd2 with { SampleSize = 64, InChannels = 9, UpcastAttention = false };

    /// <summary>The reference fixtures' SD-1-style UNet (<c>reference/tiny-sd/unet</c>): 2 levels (32, 64), 8 heads, text width 32.</summary>
    public static UNet2DConditionConfig Tiny { get; } = new()
    {
        SampleSize = 32,
        BlockOutChannels = new[] { 32, 64 },
        DownBlockTypes = new[] { "CrossAttnDownBlock2D", "DownBlock2D" },
        UpBlockTypes = new[] { "UpBlock2D", "CrossAttnUpBlock2D" },
        LayersPerBlock = 2,
        CrossAttentionDim = 32,
        AttentionHeadDim = 8,
    };

    /// <summary>
    /// A config inferred from diffusers-named UNet weights: channels, levels, block types (attention present or not),
    /// ResNets and transformer layers per level, in/out channels, kernel sizes, text width, time-embedding width and
    /// projection kind come from the tensors. Shapes cannot tell the head count: <paramref name="heads"/>, by default
    /// SD 1.x's 8 per level for 1x1-conv projections and SD 2.x's width-64 heads (channels / 64) for linear ones, as
    /// Formats assumes for single files. GroupNorm groups stay 32. Throws naming the first missing key.
    /// </summary>
    public static UNet2DConditionConfig FromWeights(IReadOnlyDictionary<string, Tensor> weights, IntOrList? heads = null, int? sampleSize = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Tensor Get(string key) => weights.TryGetValue(key, out var t) ? t
            : throw new InvalidDataException($"UNet weights: '{key}' is missing; cannot infer the config (is this a diffusers-named UNet?).");
        bool Has(string prefix) => weights.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));
        int Count(string prefix) { int n = 0; while (Has($"{prefix}{n}.")) n++; return n; }

        int levels = Count("down_blocks.");
        if (levels == 0) throw new InvalidDataException("UNet weights: no 'down_blocks.0.*' tensors; cannot infer the config (is this a diffusers-named UNet?).");
        int[] channels = Enumerable.Range(0, levels).Select(i => Get($"down_blocks.{i}.resnets.0.conv1.weight").Shape[0]).ToArray();
        int[] layers = Enumerable.Range(0, levels).Select(i => Count($"down_blocks.{i}.resnets.")).ToArray();
        string[] down = Enumerable.Range(0, levels).Select(i => Has($"down_blocks.{i}.attentions.") ? "CrossAttnDownBlock2D" : "DownBlock2D").ToArray();
        string[] up = Enumerable.Range(0, levels).Select(i => Has($"up_blocks.{i}.attentions.") ? "CrossAttnUpBlock2D" : "UpBlock2D").ToArray();
        string? firstAttention = weights.Keys.Where(k => k.EndsWith(".attn2.to_k.weight", StringComparison.Ordinal)).Order(StringComparer.Ordinal).FirstOrDefault();
        string? firstProjIn = weights.Keys.Where(k => k.EndsWith(".proj_in.weight", StringComparison.Ordinal)).Order(StringComparer.Ordinal).FirstOrDefault();
        bool linear = firstProjIn is not null && weights[firstProjIn].Rank == 2;
        int[] transformerLayers = Enumerable.Range(0, levels)
            .Select(i => Math.Max(1, Count($"down_blocks.{i}.attentions.0.transformer_blocks."))).ToArray();
        if (Has("mid_block.attentions.0.")) transformerLayers[^1] = Count("mid_block.attentions.0.transformer_blocks.");
        Tensor convIn = Get("conv_in.weight"), convOut = Get("conv_out.weight");
        int timeEmbed = Get("time_embedding.linear_1.weight").Shape[0];
        return new UNet2DConditionConfig
        {
            SampleSize = sampleSize,
            InChannels = convIn.Shape[1],
            OutChannels = convOut.Shape[0],
            ConvInKernel = convIn.Shape[2],
            ConvOutKernel = convOut.Shape[2],
            BlockOutChannels = channels,
            DownBlockTypes = down,
            UpBlockTypes = up,
            MidBlockType = Has("mid_block.") ? "UNetMidBlock2DCrossAttn" : null,
            LayersPerBlock = layers.Distinct().Count() == 1 ? layers[0] : IntOrList.Of(layers),
            TransformerLayersPerBlock = transformerLayers.Distinct().Count() == 1 ? transformerLayers[0] : IntOrList.Of(transformerLayers),
            CrossAttentionDim = firstAttention is null ? 768 : weights[firstAttention].Shape[1],
            UseLinearProjection = linear,
            AttentionHeadDim = heads ?? (linear ? IntOrList.Of(channels.Select(c => Math.Max(1, c / 64)).ToArray()) : 8),
            TimeEmbeddingDim = timeEmbed == channels[0] * 4 ? null : timeEmbed,
        };
    }
}
