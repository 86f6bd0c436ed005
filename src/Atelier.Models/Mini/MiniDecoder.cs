using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// atelier-mini's decoder: a pixel-space diffusion UNet that turns noise into a 32x32 image given a CLIP image
/// embedding and the caption's CLIP token states — unCLIP's decoder (Ramesh et al. 2022 §2.1) at half of its 64x64,
/// built from GLIDE's blocks (Nichol et al. 2021; openai/glide-text2im <c>unet.py</c>) in diffusers' naming.
/// As unCLIP: the image embedding is projected and added to the timestep embedding, and projected into
/// <see cref="MiniDecoderConfig.ClipExtraContextTokens"/> extra context tokens placed before the caption tokens.
/// What differs: the caption tokens come from the frozen CLIP-mini text tower (GLIDE trains its own text
/// transformer); no learned variances (the sampler is DDIM / DPM-Solver++, not ancestral with Σθ); one residual
/// block per level; v-prediction by default.
/// </summary>
/// <remarks>
/// Legend: B batch, C channels, H×W the sample size, E = time_embed_dim, M = extra tokens + caption tokens, T = text
/// width. Unconditional inputs for classifier-free guidance: a zero image embedding and the empty caption's tokens.
/// </remarks>
public sealed class MiniDecoder : Module
{
    public MiniDecoder(MiniDecoderConfig config)
    {
        Config = config.Validate();
        int[] widths = config.BlockOutChannels;
        int levels = widths.Length, e = config.TimeEmbedDim, groups = config.NormGroups, context = config.TextWidth;

        ConvIn = Add("conv_in", new Conv2d(config.Channels, widths[0], 3, padding: 1));
        TimeEmbedding = Add("time_embedding", new MiniTimestepEmbedding(widths[0], e));
        ImageEmbeddingProj = Add("image_embedding_proj", new Linear(config.ClipEmbeddingDim, e));
        ClipExtraContextTokensProj = Add("clip_extra_context_tokens_proj", new Linear(config.ClipEmbeddingDim, config.ClipExtraContextTokens * context));

        // Down path: every block output (and the conv_in output) is a skip for the up path.
        var skipWidths = new Stack<int>();
        skipWidths.Push(widths[0]);
        var down = new List<MiniDecoderLevel>();
        int width = widths[0];
        for (int level = 0; level < levels; level++)
        {
            var resnets = new List<MiniResnetBlock>();
            var attentions = config.AttentionLevels[level] ? new List<MiniAttentionBlock>() : null;
            for (int j = 0; j < config.LayersPerBlock; j++)
            {
                resnets.Add(new MiniResnetBlock(width, widths[level], e, groups));
                width = widths[level];
                attentions?.Add(new MiniAttentionBlock(width, config.HeadChannels, context, groups));
                skipWidths.Push(width);
            }
            bool last = level == levels - 1;
            Conv2d? downsample = last ? null : new Conv2d(width, width, 3, stride: 2, padding: 1);
            if (!last) skipWidths.Push(width);
            down.Add(new MiniDecoderLevel(resnets, attentions, downsample, "downsamplers"));
        }
        DownBlocks = Add("down_blocks", new ModuleList<MiniDecoderLevel>(down));

        MidBlock = Add("mid_block", new MiniMidBlock(width, e, config.HeadChannels, context, groups));

        // Up path: LayersPerBlock + 1 blocks per level, each eating one skip.
        var up = new List<MiniDecoderLevel>();
        for (int level = levels - 1; level >= 0; level--)
        {
            var resnets = new List<MiniResnetBlock>();
            var attentions = config.AttentionLevels[level] ? new List<MiniAttentionBlock>() : null;
            for (int j = 0; j < config.LayersPerBlock + 1; j++)
            {
                resnets.Add(new MiniResnetBlock(width + skipWidths.Pop(), widths[level], e, groups));
                width = widths[level];
                attentions?.Add(new MiniAttentionBlock(width, config.HeadChannels, context, groups));
            }
            Conv2d? upsample = level == 0 ? null : new Conv2d(width, width, 3, padding: 1);
            up.Add(new MiniDecoderLevel(resnets, attentions, upsample, "upsamplers"));
        }
        UpBlocks = Add("up_blocks", new ModuleList<MiniDecoderLevel>(up));

        ConvNormOut = Add("conv_norm_out", new GroupNorm(groups, widths[0]));
        ConvOut = Add("conv_out", new Conv2d(widths[0], config.Channels, 3, padding: 1));
    }

    public MiniDecoderConfig Config { get; }
    public Conv2d ConvIn { get; }
    public MiniTimestepEmbedding TimeEmbedding { get; }
    public Linear ImageEmbeddingProj { get; }
    public Linear ClipExtraContextTokensProj { get; }
    public ModuleList<MiniDecoderLevel> DownBlocks { get; }
    public MiniMidBlock MidBlock { get; }
    public ModuleList<MiniDecoderLevel> UpBlocks { get; }
    public GroupNorm ConvNormOut { get; }
    public Conv2d ConvOut { get; }

    /// <summary>
    /// Fresh training weights: PyTorch's default initialisation of every layer (<see cref="Init.Default"/>), then the
    /// last layer of every residual branch and the output layer set to zero (GLIDE <c>zero_module</c>), so every residual
    /// block starts as the identity. Call outside any <see cref="TensorScope"/>.
    /// </summary>
    public void InitializeWeights(TorchGenerator generator)
    {
        Init.Default(this, generator);
        foreach (var parameter in ZeroInitialized)
            Init.Constant(parameter, 0f);
    }

    /// <summary>Parameters GLIDE initialises to zero (the last layer of every residual branch and the output conv).</summary>
    public IEnumerable<Parameter> ZeroInitialized
    {
        get
        {
            var resnets = DownBlocks.Concat(UpBlocks).SelectMany(l => l.Resnets).Concat(MidBlock.Resnets);
            var attentions = DownBlocks.Concat(UpBlocks).SelectMany(l => l.Attentions ?? []).Concat(MidBlock.Attentions);
            foreach (var p in resnets.SelectMany(r => r.ZeroInitialized).Concat(attentions.SelectMany(a => a.ZeroInitialized)))
                yield return p;
            yield return ConvOut.Weight;
            yield return ConvOut.Bias!;
        }
    }

    /// <summary>
    /// The network's prediction (v or ε, per <see cref="MiniDecoderConfig.PredictionType"/>) for noisy samples.
    /// </summary>
    /// <param name="sample">x_t [B, 3, S, S] in the [-1, 1] pixel scale.</param>
    /// <param name="timesteps">t per sample (0 … 999), length B.</param>
    /// <param name="imageEmbedding">L2-normalised CLIP image embeddings [B, ClipEmbeddingDim] (zeros: unconditional).</param>
    /// <param name="textStates">the caption's CLIP token states [B, L, TextWidth] (the empty caption's: unconditional).</param>
    public Tensor Forward(Tensor sample, ReadOnlySpan<float> timesteps, Tensor imageEmbedding, Tensor textStates)
    {
        CheckInputs(sample, timesteps.Length, imageEmbedding, textStates);
        int b = sample.Shape[0], context = Config.TextWidth;

        // 1. Conditioning: timestep embedding + projected image embedding (unCLIP §2.1), context tokens.
        Tensor emb = TimeEmbedding.Forward(SinusoidalEmbedding.Embed(timesteps, Config.BlockOutChannels[0])); // [B, E]
        emb = emb.Add(ImageEmbeddingProj.Forward(imageEmbedding));                                          // [B, E]
        Tensor extra = ClipExtraContextTokensProj.Forward(imageEmbedding)
            .Reshape(b, Config.ClipExtraContextTokens, context);                                           // [B, 4, T]
        Tensor tokens = Ops.Concat([extra, textStates], 1);                                                // [B, M, T]

        // 2. Down path, keeping every block output for the skips.
        Tensor h = ConvIn.Forward(sample);                                                                  // [B, C0, S, S]
        var skips = new Stack<Tensor>();
        skips.Push(h);
        foreach (var level in DownBlocks)
        {
            for (int j = 0; j < level.Resnets.Count; j++)
            {
                h = level.Resnets[j].Forward(h, emb);                                                       // [B, Ci, s, s]
                if (level.Attentions is not null) h = level.Attentions[j].Forward(h, tokens);
                skips.Push(h);
            }
            if (level.Resample is not null)
            {
                h = level.Resample.Forward(h);                                                              // [B, Ci, s/2, s/2]
                skips.Push(h);
            }
        }

        // 3. Middle: residual, attention, residual at the lowest resolution.
        h = MidBlock.Forward(h, emb, tokens);                                                               // [B, Clast, s, s]

        // 4. Up path: concatenate the matching skip before every residual block.
        foreach (var level in UpBlocks)
        {
            for (int j = 0; j < level.Resnets.Count; j++)
            {
                h = Ops.Concat([h, skips.Pop()], 1);                                                        // [B, C + Cskip, s, s]
                h = level.Resnets[j].Forward(h, emb);                                                       // [B, Ci, s, s]
                if (level.Attentions is not null) h = level.Attentions[j].Forward(h, tokens);
            }
            // Convolve, then upsample (diffusers' Upsample2D does the reverse): a quarter of the cost, measured as
            // the largest single convolution of a training step otherwise; the full-resolution blocks that follow
            // refine the nearest-neighbour edges.
            if (level.Resample is not null)
                h = level.Resample.Forward(h).UpsampleNearest(2);                                            // [B, Ci, 2s, 2s]
        }

        // 5. Output projection to the prediction.
        return ConvOut.Forward(ConvNormOut.Forward(h).Silu());                                              // [B, 3, S, S]
    }

    /// <summary>
    /// Multiply-adds × 2 of one forward pass for one sample with <paramref name="textTokens"/> caption tokens:
    /// convolutions, linear layers and attention products (norms and element-wise ops are left out, &lt; 2 %).
    /// </summary>
    public long ForwardFlopsPerSample(int textTokens)
    {
        int s = Config.SampleSize, m = Config.ClipExtraContextTokens + textTokens, t = Config.TextWidth;
        long flops = Linear(Config.ClipEmbeddingDim, Config.TimeEmbedDim + Config.ClipExtraContextTokens * t, 1)
            + Linear(Config.BlockOutChannels[0], Config.TimeEmbedDim, 1) + Linear(Config.TimeEmbedDim, Config.TimeEmbedDim, 1);
        flops += Conv(ConvIn, s) + Conv(ConvOut, s);
        foreach (var level in DownBlocks)
        {
            flops += LevelFlops(level.Resnets, level.Attentions, s, m);
            if (level.Resample is not null) { flops += Conv(level.Resample, s / 2); s /= 2; }
        }
        flops += LevelFlops(MidBlock.Resnets, MidBlock.Attentions, s, m);
        foreach (var level in UpBlocks)
        {
            flops += LevelFlops(level.Resnets, level.Attentions, s, m);
            if (level.Resample is not null) { flops += Conv(level.Resample, s); s *= 2; }
        }
        return flops;

        static long Conv(Conv2d c, int outSide) => 2L * outSide * outSide * c.OutChannels * c.InChannels / c.Groups * c.KernelSize * c.KernelSize;
        static long Linear(int inFeatures, int outFeatures, int rows) => 2L * rows * inFeatures * outFeatures;
        long LevelFlops(IReadOnlyList<MiniResnetBlock> resnets, IReadOnlyList<MiniAttentionBlock>? attentions, int side, int tokens)
        {
            long sum = 0;
            int n = side * side;
            foreach (var r in resnets)
            {
                sum += Conv(r.Conv1, side) + Conv(r.Conv2, side) + Linear(Config.TimeEmbedDim, 2 * r.OutChannels, 1);
                if (r.ConvShortcut is not null) sum += Conv(r.ConvShortcut, side);
            }
            foreach (var a in attentions ?? [])
                sum += Linear(a.Channels, a.Channels, n) * 4 + Linear(t, a.Channels, tokens) * 2 + 2L * 2 * n * (n + tokens) * a.Channels;
            return sum;
        }
    }

    private void CheckInputs(Tensor sample, int steps, Tensor imageEmbedding, Tensor textStates)
    {
        int s = Config.SampleSize;
        if (sample.Rank != 4 || sample.Shape[1] != Config.Channels || sample.Shape[2] != s || sample.Shape[3] != s)
            throw new TensorShapeException("mini decoder", $"sample {sample.Shape}", $"[B, {Config.Channels}, {s}, {s}]");
        int b = sample.Shape[0];
        if (steps != b)
            throw new TensorShapeException("mini decoder", $"{steps} timesteps for sample {sample.Shape}", $"one timestep per sample ({b})");
        if (imageEmbedding.Shape != new Shape(b, Config.ClipEmbeddingDim))
            throw new TensorShapeException("mini decoder", $"image embedding {imageEmbedding.Shape} for sample {sample.Shape}", $"[{b}, {Config.ClipEmbeddingDim}]");
        if (textStates.Rank != 3 || textStates.Shape[0] != b || textStates.Shape[2] != Config.TextWidth)
            throw new TensorShapeException("mini decoder", $"text states {textStates.Shape} for sample {sample.Shape}", $"[{b}, L, {Config.TextWidth}]");
    }
}
