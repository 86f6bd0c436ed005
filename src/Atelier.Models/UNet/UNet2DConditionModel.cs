using Atelier.Formats.Checkpoints;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

// The Stable Diffusion denoiser: a text-conditioned UNet predicting the noise (or v) in a latent.
// Paper: Rombach et al. 2022, "High-Resolution Image Synthesis with Latent Diffusion Models" (Fig. 3, App. E);
// UNet after Ronneberger et al. 2015 and Ho et al. 2020. Reference: diffusers 0.30 UNet2DConditionModel.
// Differs from the reference: inference only (no dropout, no gradient checkpointing); attention is always computed
// in float32, so upcast_attention changes nothing; half-precision weights are widened inside each op.
// Legend: B batch, C channels, H x W latent size, T = 4·C0 time-embedding width, M text tokens (77), D text width.

/// <summary>
/// UNet2DConditionModel for SD 1.x / 2.x (text-to-image and 9-channel inpainting), built from diffusers'
/// <c>unet/config.json</c> (<see cref="UNet2DConditionConfig"/>), with children named exactly as the checkpoint keys
/// (<c>down_blocks.0.attentions.1.transformer_blocks.0.attn2.to_k.weight</c>).
/// </summary>
public sealed partial class UNet2DConditionModel : Module
{
    public UNet2DConditionModel(UNet2DConditionConfig config, string source = "UNet2DConditionConfig")
    {
        ArgumentNullException.ThrowIfNull(config);
        UNet2DConditionSupport.Check(config, source);
        Config = config;
        int levels = config.BlockOutChannels.Count;
        int[] channels = config.BlockOutChannels.ToArray();
        int[] layers = config.LayersPerBlock.PerBlock(levels, "layers_per_block");
        int[] heads = config.HeadsPerBlock();
        int[] crossDims = config.CrossAttentionDim.PerBlock(levels, "cross_attention_dim");
        int[] transformerLayers = config.TransformerLayersPerBlock.PerBlock(levels, "transformer_layers_per_block");
        int groups = config.NormNumGroups!.Value;
        float eps = (float)config.NormEps;
        int timeEmbedDim = config.TimeEmbeddingDim ?? channels[0] * 4;

        ConvIn = Add("conv_in", new Conv2d(config.InChannels, channels[0], config.ConvInKernel, padding: (config.ConvInKernel - 1) / 2));
        TimeProj = Add("time_proj", new Timesteps(channels[0], config.FlipSinToCos, config.FreqShift));
        TimeEmbedding = Add("time_embedding", new TimestepEmbedding(channels[0], timeEmbedDim));

        DownBlocks = Add("down_blocks", new ModuleList<UNetDownBlock>());
        for (int i = 0; i < levels; i++)
        {
            int input = i == 0 ? channels[0] : channels[i - 1];
            bool downsample = i < levels - 1;
            DownBlocks.Append(config.DownBlockTypes[i] == "CrossAttnDownBlock2D"
                ? new CrossAttnDownBlock2D(input, channels[i], timeEmbedDim, layers[i], groups, eps, downsample, heads[i], transformerLayers[i], crossDims[i], config.UseLinearProjection)
                : new DownBlock2D(input, channels[i], timeEmbedDim, layers[i], groups, eps, downsample));
        }

        // The mid block uses the deepest level's settings (G8: the last entry of per-block lists).
        MidBlock = config.MidBlockType is null ? null : Add("mid_block", new UNetMidBlock2DCrossAttn(channels[^1], timeEmbedDim, groups, eps,
            (float)config.MidBlockScaleFactor, heads[^1], transformerLayers[^1], crossDims[^1], config.UseLinearProjection));

        UpBlocks = Add("up_blocks", new ModuleList<UNetUpBlock>());
        int output = channels[^1];
        for (int i = 0; i < levels; i++)
        {
            int level = levels - 1 - i;                      // up block i mirrors down block `level`
            int prevOutput = output;
            output = channels[level];
            int input = channels[Math.Max(level - 1, 0)];    // width of the deepest skip it takes
            bool upsample = i < levels - 1;
            UpBlocks.Append(config.UpBlockTypes[i] == "CrossAttnUpBlock2D"
                ? new CrossAttnUpBlock2D(input, prevOutput, output, timeEmbedDim, layers[level] + 1, groups, eps, upsample, heads[level], transformerLayers[level], crossDims[level], config.UseLinearProjection)
                : new UpBlock2D(input, prevOutput, output, timeEmbedDim, layers[level] + 1, groups, eps, upsample));
        }

        ConvNormOut = Add("conv_norm_out", new GroupNorm(groups, channels[0], eps));
        ConvOut = Add("conv_out", new Conv2d(channels[0], config.OutChannels, config.ConvOutKernel, padding: (config.ConvOutKernel - 1) / 2));
        AssignParameterNames();
    }

    public UNet2DConditionConfig Config { get; }
    public Conv2d ConvIn { get; }
    public Timesteps TimeProj { get; }
    public TimestepEmbedding TimeEmbedding { get; }
    public ModuleList<UNetDownBlock> DownBlocks { get; }
    public UNetMidBlock2DCrossAttn? MidBlock { get; }
    public ModuleList<UNetUpBlock> UpBlocks { get; }
    public GroupNorm ConvNormOut { get; }
    public Conv2d ConvOut { get; }

    /// <summary>Width of the text states the cross-attention layers expect (the first block's cross_attention_dim).</summary>
    public int CrossAttentionDim => Config.CrossAttentionDim.PerBlock(Config.BlockOutChannels.Count, "cross_attention_dim")[0];

    /// <summary>Same as <see cref="Forward(Tensor, Tensor, Tensor, Action{string, Tensor}?)"/> with one timestep for the whole batch (an integer step or a float one, e.g. from Euler; rounded to float32 as diffusers does).</summary>
    public Tensor Forward(Tensor sample, double timestep, Tensor encoderHiddenStates, Action<string, Tensor>? inspect = null) =>
        Forward(sample, Tensor.Scalar((float)timestep), encoderHiddenStates, inspect);

    /// <summary>
    /// One denoiser evaluation: sample [B, in_channels, H, W] (any H, W ≥ 1), timestep (0-d, [1] or [B]; integer or
    /// float), encoderHiddenStates [B, M, cross_attention_dim] → model output [B, out_channels, H, W] (ε or v, as
    /// the checkpoint was trained). <paramref name="inspect"/>, when given, sees the intermediate results in forward
    /// order under their module names (<c>time_proj</c>, <c>time_embedding</c>, <c>conv_in</c>, <c>down_blocks.i</c>,
    /// <c>mid_block</c>, <c>up_blocks.i</c>, <c>conv_norm_out</c>); those tensors are valid only during the call.
    /// </summary>
    public Tensor Forward(Tensor sample, Tensor timestep, Tensor encoderHiddenStates, Action<string, Tensor>? inspect = null)
    {
        CheckInputs(sample, encoderHiddenStates);
        using var scope = TensorScope.Begin();
        int b = sample.Shape[0];
        if (Config.CenterInputSample) sample = sample.Mul(2f).Add(-1f);

        // 1. time: sinusoidal embedding of t, lifted by an MLP; every ResNet adds a projection of it.
        Tensor tProj = TimeProj.Forward(TimestepsFor(timestep, b));           // [B, C0]
        inspect?.Invoke("time_proj", tProj);
        Tensor temb = TimeEmbedding.Forward(tProj);                           // [B, T]
        inspect?.Invoke("time_embedding", temb);

        // 2. pre-process
        Tensor h = ConvIn.Forward(sample);                                    // [B, C0, H, W]
        inspect?.Invoke("conv_in", h);
        var skips = new List<Tensor> { h };

        // 3. contracting path: every ResNet/attention output and downsample output becomes a skip connection.
        for (int i = 0; i < DownBlocks.Count; i++)
        {
            h = DownBlocks[i].Forward(h, temb, encoderHiddenStates, skips);   // [B, C_i, H / 2^(i+1), W / 2^(i+1)]
            inspect?.Invoke($"down_blocks.{i}", h);
        }

        // 4. bottleneck
        if (MidBlock is not null)
        {
            h = MidBlock.Forward(h, temb, encoderHiddenStates);               // [B, C_last, H / 2^(L-1), W / 2^(L-1)]
            inspect?.Invoke("mid_block", h);
        }

        // 5. expanding path: each ResNet concatenates the last skip; each upsampler returns to the size of the skip
        // it meets next (diffusers' forward_upsample_size; for even sizes that is exactly twice its input).
        for (int i = 0; i < UpBlocks.Count; i++)
        {
            var block = UpBlocks[i];
            int next = skips.Count - 1 - block.SkipCount;
            (int, int)? upsampleSize = next >= 0 ? (skips[next].Shape[2], skips[next].Shape[3]) : null;
            h = block.Forward(h, skips, temb, encoderHiddenStates, upsampleSize); // [B, C_level, skip H, skip W]
            inspect?.Invoke($"up_blocks.{i}", h);
        }

        // 6. post-process
        h = ConvNormOut.Forward(h);                                           // [B, C0, H, W]
        inspect?.Invoke("conv_norm_out", h);
        Tensor output = ConvOut.Forward(h.Silu());                            // [B, out_channels, H, W]
        return scope.Keep(output);
    }

    private void CheckInputs(Tensor sample, Tensor encoderHiddenStates)
    {
        if (sample.Rank != 4 || sample.Shape[1] != Config.InChannels || sample.Shape[0] == 0)
            throw new TensorShapeException("UNet2DConditionModel", $"sample has shape {sample.Shape}",
                $"[B, {Config.InChannels}, H, W] (in_channels {Config.InChannels}{(Config.InChannels == 9 ? ": noisy latents 4, mask 1, masked-image latents 4" : "")})");
        if (!sample.DType.IsFloating())
            throw new TensorDTypeException("UNet2DConditionModel", $"sample has dtype {sample.DType}", "a floating-point sample");
        int b = sample.Shape[0], dim = CrossAttentionDim;
        if (encoderHiddenStates.Rank != 3 || encoderHiddenStates.Shape[0] != b || encoderHiddenStates.Shape[2] != dim)
            throw new TensorShapeException("UNet2DConditionModel", $"encoder_hidden_states has shape {encoderHiddenStates.Shape} for sample {sample.Shape}",
                $"[{b}, M, {dim}] (the text encoder's last_hidden_state, width cross_attention_dim {dim}, same batch as the sample)");
    }

    /// <summary>A 0-d or [1] timestep is broadcast to the batch, as diffusers does; [B] is taken as is.</summary>
    private static Tensor TimestepsFor(Tensor timestep, int batch)
    {
        if (timestep.DType == DType.Bool)
            throw new TensorDTypeException("UNet2DConditionModel", "timestep has dtype Bool", "an integer or floating-point timestep");
        if (timestep.Rank == 0 || (timestep.Rank == 1 && timestep.Shape[0] == 1))
            return timestep.Reshape(1).Expand(batch);                         // [B]
        if (timestep.Rank == 1 && timestep.Shape[0] == batch)
            return timestep;
        throw new TensorShapeException("UNet2DConditionModel", $"timestep has shape {timestep.Shape} for a batch of {batch}", $"a 0-d tensor, [1] or [{batch}]");
    }
}
