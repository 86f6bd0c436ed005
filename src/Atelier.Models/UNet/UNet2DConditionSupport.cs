using Atelier.Formats.Checkpoints;

namespace Atelier.Models.UNet;

/// <summary>
/// What this port implements of diffusers' <c>UNet2DConditionModel</c> config: everything Stable Diffusion 1.x/2.x
/// (text-to-image, inpainting, v-prediction) uses. Any other setting (SDXL's added embeddings, class embeddings,
/// LCM's guidance projection, …) is refused with the field named, rather than silently computing something else.
/// </summary>
internal static class UNet2DConditionSupport
{
    public static readonly string[] DownBlockTypes = ["CrossAttnDownBlock2D", "DownBlock2D"];
    public static readonly string[] UpBlockTypes = ["CrossAttnUpBlock2D", "UpBlock2D"];
    public const string MidBlockType = "UNetMidBlock2DCrossAttn";

    public static void Check(UNet2DConditionConfig c, string source)
    {
        int blocks = c.BlockOutChannels.Count;
        if (blocks == 0) Refuse(source, "block_out_channels", "[]", "at least one block");
        if (c.DownBlockTypes.Count != blocks) Refuse(source, "down_block_types", c.DownBlockTypes.ToString(), $"{blocks} entries (one per block_out_channels)");
        if (c.UpBlockTypes.Count != blocks) Refuse(source, "up_block_types", c.UpBlockTypes.ToString(), $"{blocks} entries (one per block_out_channels)");
        foreach (string type in c.DownBlockTypes)
            if (!DownBlockTypes.Contains(type)) Refuse(source, "down_block_types", type, string.Join(" or ", DownBlockTypes));
        foreach (string type in c.UpBlockTypes)
            if (!UpBlockTypes.Contains(type)) Refuse(source, "up_block_types", type, string.Join(" or ", UpBlockTypes));
        if (c.MidBlockType is not null && c.MidBlockType != MidBlockType) Refuse(source, "mid_block_type", c.MidBlockType, $"{MidBlockType} or null");
        if (c.NormNumGroups is null) Refuse(source, "norm_num_groups", "null", "a group count (32 in SD)");
        foreach (int channels in c.BlockOutChannels)
            if (channels % c.NormNumGroups!.Value != 0) Refuse(source, "block_out_channels", c.BlockOutChannels.ToString(), $"multiples of norm_num_groups {c.NormNumGroups}");
        if (c.ActFn != "silu") Refuse(source, "act_fn", c.ActFn, "\"silu\"");
        if (c.DownsamplePadding != 1) Refuse(source, "downsample_padding", c.DownsamplePadding.ToString(), "1 (padding 0 pads asymmetrically; no SD UNet uses it)");
        if (c.OnlyCrossAttention) Refuse(source, "only_cross_attention", "true", "false");
        if (c.MidBlockOnlyCrossAttention == true) Refuse(source, "mid_block_only_cross_attention", "true", "null or false");
        if (c.DualCrossAttention) Refuse(source, "dual_cross_attention", "true", "false");
        if (c.ReverseTransformerLayersPerBlock is not null) Refuse(source, "reverse_transformer_layers_per_block", c.ReverseTransformerLayersPerBlock.ToString(), "null");
        if (c.EncoderHidDim is not null || c.EncoderHidDimType is not null) Refuse(source, "encoder_hid_dim", $"{c.EncoderHidDim} ({c.EncoderHidDimType})", "null (no projection of the text states)");
        if (c.ClassEmbedType is not null || c.NumClassEmbeds is not null) Refuse(source, "class_embed_type", $"{c.ClassEmbedType} / num_class_embeds {c.NumClassEmbeds}", "null (no class conditioning)");
        if (c.AdditionEmbedType is not null) Refuse(source, "addition_embed_type", c.AdditionEmbedType, "null (SDXL-style added conditioning is not implemented)");
        if (c.ResnetTimeScaleShift != "default") Refuse(source, "resnet_time_scale_shift", c.ResnetTimeScaleShift, "\"default\"");
        if (c.ResnetSkipTimeAct) Refuse(source, "resnet_skip_time_act", "true", "false");
        if (c.TimeEmbeddingType != "positional") Refuse(source, "time_embedding_type", c.TimeEmbeddingType, "\"positional\"");
        if (c.TimeEmbeddingActFn is not null) Refuse(source, "time_embedding_act_fn", c.TimeEmbeddingActFn, "null");
        if (c.TimestepPostAct is not null) Refuse(source, "timestep_post_act", c.TimestepPostAct, "null");
        if (c.TimeCondProjDim is not null) Refuse(source, "time_cond_proj_dim", c.TimeCondProjDim.ToString()!, "null (LCM guidance embedding is not implemented)");
        if (c.AttentionType != "default") Refuse(source, "attention_type", c.AttentionType, "\"default\"");
        if (c.ClassEmbeddingsConcat) Refuse(source, "class_embeddings_concat", "true", "false");
        if (c.CrossAttentionNorm is not null) Refuse(source, "cross_attention_norm", c.CrossAttentionNorm, "null");
        if (c.ConvInKernel % 2 == 0 || c.ConvOutKernel % 2 == 0) Refuse(source, "conv_in_kernel/conv_out_kernel", $"{c.ConvInKernel}/{c.ConvOutKernel}", "odd kernel sizes");
        int[] heads = c.HeadsPerBlock();
        for (int i = 0; i < blocks; i++)
        {
            if (c.BlockOutChannels[i] % heads[i] != 0)
                Refuse(source, c.NumAttentionHeads is null ? "attention_head_dim" : "num_attention_heads", $"{heads[i]} heads at block {i}", $"a divisor of its {c.BlockOutChannels[i]} channels");
        }
    }

    private static void Refuse(string source, string field, string value, string expected) =>
        throw new NotSupportedException($"{source}: UNet2DConditionModel config field '{field}' is {value}; this implementation supports {expected}.");
}
