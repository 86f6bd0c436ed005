using Atelier.Formats.Images;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// atelier-mini end to end, as unCLIP's generation stack (Ramesh et al. 2022, fig. 2) in miniature:
/// caption → CLIP text embedding → prior → CLIP image embedding → decoder (32x32) → upsampler (64x64).
/// <see cref="Generate"/> samples from a caption, <see cref="Vary"/> decodes an image's own CLIP embedding with new
/// noise (unCLIP §3.1 "variations"), <see cref="Edit"/> repaints the masked region of an image under a caption by
/// re-noising the known region at every decoder step (RePaint-style replacement, Lugmayr et al. 2022, without
/// resampling). All random numbers come from one <see cref="TorchGenerator"/> seeded by
/// <see cref="MiniGenerateOptions.Seed"/>, drawn in a fixed order (prior noise, then decoder noise, then per-step
/// re-noising), so the same seed gives the same bytes at any thread count.
/// </summary>
public sealed class MiniPipeline
{
    public MiniPipeline(IMiniClipEncoder clip, MiniPrior prior, MiniDecoder decoder, MiniUpsampler upsampler)
    {
        Clip = clip ?? throw new ArgumentNullException(nameof(clip));
        Prior = prior ?? throw new ArgumentNullException(nameof(prior));
        Decoder = decoder ?? throw new ArgumentNullException(nameof(decoder));
        Upsampler = upsampler ?? throw new ArgumentNullException(nameof(upsampler));
        if (prior.Config.EmbeddingDim != clip.EmbeddingDim || decoder.Config.ClipEmbeddingDim != clip.EmbeddingDim)
            throw new ArgumentException($"atelier-mini: CLIP embeds in {clip.EmbeddingDim} dimensions, the prior in {prior.Config.EmbeddingDim}, "
                + $"the decoder expects {decoder.Config.ClipEmbeddingDim}.");
        if (upsampler.Config.InputSize != decoder.Config.SampleSize || upsampler.Config.InputSize * upsampler.Config.Factor != MiniImageOps.ImageSize)
            throw new ArgumentException($"atelier-mini: the decoder draws {decoder.Config.SampleSize}x{decoder.Config.SampleSize}; the upsampler takes "
                + $"{upsampler.Config.InputSize} and enlarges ×{upsampler.Config.Factor}; the pipeline needs {MiniImageOps.ImageSize}x{MiniImageOps.ImageSize}.");
    }

    /// <summary>
    /// Loads the shipped model from <paramref name="modelDir"/> (e.g. <c>models/atelier-mini</c>): CLIP-mini
    /// (<c>clip.*</c>, <c>tokenizer/</c>), <c>prior.*</c>, <c>decoder.*</c>, <c>upsampler.*</c>. Call outside any TensorScope.
    /// </summary>
    public static MiniPipeline Load(string modelDir) =>
        new(MiniClipEncoder.Load(modelDir), MiniModelFiles.LoadPrior(modelDir), MiniModelFiles.LoadDecoder(modelDir), MiniModelFiles.LoadUpsampler(modelDir));

    public IMiniClipEncoder Clip { get; }
    public MiniPrior Prior { get; }
    public MiniDecoder Decoder { get; }
    public MiniUpsampler Upsampler { get; }
    public MiniNoiseSchedule Schedule { get; } = new();

    /// <summary>A 64x64 RGB image for <paramref name="prompt"/>.</summary>
    public Image Generate(string prompt, MiniGenerateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options = (options ?? new MiniGenerateOptions()).Validate();
        using var scope = TensorScope.Begin();
        using var noGrad = Autograd.NoGrad();
        var generator = new TorchGenerator(options.Seed);
        // 1. Caption → CLIP token states and text embedding; the empty caption's states for guidance.
        (Tensor states, Tensor nullStates, Tensor text) = EncodeCaption(prompt);
        // 2. Prior: text embedding → image embedding (guided DDIM).
        Tensor embedding = MiniPriorSampling.Sample(Prior, Schedule, text, generator, options.PriorSteps, options.PriorGuidance);   // [1, D]
        // 3. Decoder: image embedding + caption → 32x32 (guided).
        Tensor small = MiniDecoderSampling.Sample(Decoder, Schedule, embedding, states, nullStates, generator,
            options.DecoderSteps, options.DecoderGuidance, options.Solver);                                                         // [1, 3, 32, 32]
        // 4. Upsampler: 32x32 → 64x64.
        return MiniImageOps.ToImage(Upsampler.Forward(small));
    }

    /// <summary>A variation of <paramref name="image"/>: its CLIP image embedding decoded with new noise (no caption).</summary>
    public Image Vary(Image image, MiniGenerateOptions? options = null)
    {
        options = (options ?? new MiniGenerateOptions()).Validate();
        using var scope = TensorScope.Begin();
        using var noGrad = Autograd.NoGrad();
        var generator = new TorchGenerator(options.Seed);
        // 1. Image → CLIP image embedding.
        Tensor embedding = Clip.EncodeImages(MiniImageOps.ToTensor(image));                                                         // [1, D]
        // 2. Decoder with the empty caption on both guidance branches: only the embedding conditions.
        (_, Tensor nullStates, _) = EncodeCaption("");
        Tensor small = MiniDecoderSampling.Sample(Decoder, Schedule, embedding, nullStates, nullStates, generator,
            options.DecoderSteps, options.DecoderGuidance, options.Solver);                                                         // [1, 3, 32, 32]
        // 3. Upsampler.
        return MiniImageOps.ToImage(Upsampler.Forward(small));
    }

    /// <summary>
    /// Repaints the region of <paramref name="image"/> where <paramref name="mask"/> is set (mask: any image of the same
    /// size; a pixel is repainted where its luma is ≥ 128, i.e. white = repaint) following <paramref name="prompt"/>;
    /// the rest of the image is kept exactly.
    /// </summary>
    public Image Edit(Image image, Image mask, string prompt, MiniGenerateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(prompt);
        options = (options ?? new MiniGenerateOptions()).Validate();
        using var scope = TensorScope.Begin();
        using var noGrad = Autograd.NoGrad();
        var generator = new TorchGenerator(options.Seed);
        Tensor original = MiniImageOps.ToTensor(image);                                                                             // [1, 3, 64, 64]
        float[] repaint = RepaintMask(mask);                                                                                        // 64x64, 1 = repaint
        // 1. Caption → embedding through the prior, as Generate.
        (Tensor states, Tensor nullStates, Tensor text) = EncodeCaption(prompt);
        Tensor embedding = MiniPriorSampling.Sample(Prior, Schedule, text, generator, options.PriorSteps, options.PriorGuidance);
        // 2. The known region at 32x32: a low-resolution pixel is known only if none of its four pixels is repainted.
        Tensor knownSmall = MiniImageOps.Downsample(original);                                                                      // [1, 3, 32, 32]
        Tensor keepSmall = KeepMaskSmall(repaint, Decoder.Config.SampleSize);                                                       // [1, 1, 32, 32]
        Tensor repaintSmall = keepSmall.Neg().Add(1f);
        // 3. Decoder; after every step the known region is replaced by the original noised to the new level.
        Tensor small = MiniDecoderSampling.Sample(Decoder, Schedule, embedding, states, nullStates, generator,
            options.DecoderSteps, options.DecoderGuidance, options.Solver, (sample, next) =>
            {
                Tensor known = knownSmall;
                if (next >= 0)
                {
                    Tensor noise = Tensor.FromArray(generator.Randn(sample.Shape.ToArray()), sample.Shape);
                    known = Schedule.AddNoise(knownSmall, noise, [next]);                                                           // x_known at t_next
                }
                return known.Mul(keepSmall).Add(sample.Mul(repaintSmall));
            });
        // 4. Upsample, then put the original pixels back outside the repainted region.
        Tensor large = Upsampler.Forward(small);                                                                                     // [1, 3, 64, 64]
        Tensor keep = Tensor.FromArray(repaint.Select(r => 1f - r).ToArray(), [1, 1, MiniImageOps.ImageSize, MiniImageOps.ImageSize]);
        return MiniImageOps.ToImage(original.Mul(keep).Add(large.Mul(keep.Neg().Add(1f))));
    }

    private (Tensor States, Tensor NullStates, Tensor Embedding) EncodeCaption(string prompt)
    {
        (Tensor states, Tensor embeddings) = Clip.EncodeText([prompt, ""]);                                                         // [2, L, T], [2, D]
        return (states.Narrow(0, 0, 1), states.Narrow(0, 1, 1), embeddings.Narrow(0, 0, 1));
    }

    private static float[] RepaintMask(Image mask)
    {
        Image m = mask.ToGray();
        if (m.Width != MiniImageOps.ImageSize || m.Height != MiniImageOps.ImageSize)
            m = m.Resize(MiniImageOps.ImageSize, MiniImageOps.ImageSize, ResizeFilter.Bilinear);
        return m.Pixels.Select(v => v >= 128 ? 1f : 0f).ToArray();
    }

    private static Tensor KeepMaskSmall(float[] repaint, int side)
    {
        int large = 2 * side;
        var keep = new float[side * side];
        for (int i = 0; i < side; i++)
            for (int j = 0; j < side; j++)
            {
                int p = 2 * i * large + 2 * j;
                keep[i * side + j] = repaint[p] + repaint[p + 1] + repaint[p + large] + repaint[p + large + 1] == 0 ? 1f : 0f;
            }
        return Tensor.FromArray(keep, [1, 1, side, side]);
    }
}
