using Atelier.Formats.Images;
using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

// The first Stable Diffusion inpainting of diffusers (deprecated, kept for reproducing old results): img2img on the
// whole image, and after every step the kept region is reset to the init latents noised to the CURRENT timestep (the
// maintained InpaintPipeline uses the next one), then once more to the clean init latents after the loop. The mask is
// inverted (1 = keep), resized with PIL's nearest rule, not binarized. Reference: diffusers 0.30.3
// StableDiffusionInpaintPipelineLegacy.__call__ (pipelines/deprecated/stable_diffusion_variants). Random draws: the
// VAE sample of the image batch (one image per prompt), then the noise added at the first timestep.
// Differences: a resize of the image to multiples of 8, when needed, is not PIL's Lanczos.
// Shapes: B prompts, n images each, L latent channels, h×w latents.

/// <summary>diffusers' deprecated legacy inpainting, for any text-to-image UNet.</summary>
public sealed class LegacyInpaintPipeline
{
    public LegacyInpaintPipeline(StableDiffusionModel model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
    }

    public StableDiffusionModel Model { get; }

    /// <summary>One run; throws as <see cref="TextToImagePipeline.Run"/> does, and when image and mask give different latent sizes.</summary>
    public PipelineResult Run(LegacyInpaintRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Image);
        ArgumentNullException.ThrowIfNull(request.Mask);
        var observer = request.Observer;
        using var scope = TensorScope.Begin();

        // 1. Check inputs
        PipelineChecks.Common(request);
        PipelineChecks.Strength(request.Strength);
        if (Model.IsInpainting)
            throw new InvalidOperationException($"{Model.Path}: the legacy inpainting pipeline needs a text-to-image UNet; this one takes {Model.UNet.Config.InChannels} channels ({Model.Origins.UNet}). Use InpaintPipeline.");
        int width = request.Image.Width - request.Image.Width % 8, height = request.Image.Height - request.Image.Height % 8;
        PipelineChecks.Size(Model, width, height);

        // 2. Define call parameters
        int prompts = request.Prompts.Count, batch = prompts * request.ImagesPerPrompt;
        bool guidance = ClassifierFreeGuidance.Applies(request.GuidanceScale);
        MemoryEstimate.Check(Model, guidance ? 2 * batch : batch, height, width, request.MemoryLimitBytes);
        var (noise, seed) = PipelineChecks.Noise(request);

        // 3. Encode input prompt
        var prompt = PromptEncoder.Encode(Model, request.Prompts, request.NegativePrompts, request.ImagesPerPrompt, guidance, request.ClipSkip);
        Tensor embeddings = prompt.Embeddings;                                                // [(2·)B·n, 77, D]
        observer?.PromptEmbeddings(embeddings);

        // 4. Preprocess image and mask
        Tensor image = VaeImageProcessor.ToTensor(request.Image, width, height);              // [1, 3, H, W] in [-1, 1]
        Tensor keep = PreprocessMask(request.Mask, Model.VaeScaleFactor, Model.LatentChannels); // [1, L, h, w], 1 = keep
        if (keep.Shape[2] != height / Model.VaeScaleFactor || keep.Shape[3] != width / Model.VaeScaleFactor)
            throw new ArgumentException($"The mask ({request.Mask.Width}x{request.Mask.Height}) and the image ({request.Image.Width}x{request.Image.Height}) must have the same size.", nameof(request));

        // 5. Set timesteps: the last int(N · strength) steps (no begin index: this pipeline predates it)
        var scheduler = Model.CreateScheduler(request.Scheduler);
        scheduler.SetTimesteps(request.Steps);
        int initTimestep = Math.Min((int)(request.Steps * request.Strength), request.Steps);
        int tStart = Math.Max(request.Steps - initTimestep, 0);
        var timesteps = scheduler.Timesteps.Skip(tStart * scheduler.Order).ToArray();
        if (timesteps.Length == 0)
            throw new ArgumentOutOfRangeException(nameof(request), request.Strength, $"Strength {request.Strength} with {request.Steps} steps leaves no step to run; raise the strength or the step count.");

        // 6. Prepare latent variables: one VAE sample per prompt, repeated for its images, noised to the first timestep
        Tensor initLatents = LatentSpace.Encode(Model, image, prompts, noise);               // [B, L, h, w]
        Tensor original = request.ImagesPerPrompt == 1 ? initLatents
            : Ops.Concat(Enumerable.Repeat(initLatents, request.ImagesPerPrompt).ToArray(), 0);   // [n·B, L, h, w]
        Tensor addedNoise = noise.Randn(original.Shape);                                      // [B·n, L, h, w]
        Tensor latents = scheduler.AddNoise(original, addedNoise, timesteps[0]);
        observer?.InitialLatents(latents);

        // 7. Prepare mask latent
        Tensor mask = LatentSpace.Copies(keep, batch);                                        // [B·n, L, h, w]

        // 8. Denoising loop
        for (int i = 0; i < timesteps.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double t = timesteps[i];
            using var step = TensorScope.Begin();
            Tensor input = guidance ? Ops.Concat([latents, latents], 0) : latents;           // [(2·)B·n, L, h, w]
            input = scheduler.ScaleModelInput(input, t);
            Tensor noisePrediction = Model.UNet.Forward(input, t, embeddings);               // [(2·)B·n, L, h, w]
            observer?.UNetCall(i, input, t, noisePrediction);
            if (guidance)
                noisePrediction = ClassifierFreeGuidance.Combine(noisePrediction, request.GuidanceScale);   // [B·n, L, h, w]
            latents = scheduler.Step(noisePrediction, t, latents, noise).PrevSample;
            Tensor known = scheduler.AddNoise(original, addedNoise, t);                       // at the current t
            latents = step.Keep(known * mask + latents * (1f - mask));
            observer?.LatentsAfterStep(i, latents);
            request.OnStep?.Invoke(new DenoisingStep(i, timesteps.Length, t, latents));
        }
        observer?.FinalLatents(latents);

        // The kept region exactly as encoded
        latents = original * mask + latents * (1f - mask);

        // 9. Decode
        Tensor images = LatentSpace.Decode(Model, latents, observer);                         // [B·n, 3, H, W]
        return new PipelineResult(scope.Keep(images), VaeImageProcessor.ToImages(images), scope.Keep(latents), seed,
            scheduler.ClassName, prompt.Warnings);
    }

    /// <summary>
    /// The legacy mask (diffusers <c>preprocess_mask</c>): luminance, cut to multiples of 8, resized to latent size
    /// with PIL's NEAREST rule (source pixel floor((i + 0.5) · in / out) over the whole uncut image), / 255, repeated
    /// over the L latent channels, then inverted: 1 = keep, 0 = repaint; gray values stay fractional.
    /// </summary>
    // mask image W×H -> [1, L, h, w]
    internal static Tensor PreprocessMask(Image mask, int factor, int latentChannels)
    {
        byte[] luma = VaeImageProcessor.Luminance(mask);
        int width = (mask.Width - mask.Width % 8) / factor, height = (mask.Height - mask.Height % 8) / factor;
        if (width < 1 || height < 1)
            throw new ArgumentException($"The mask is {mask.Width}x{mask.Height}; each side must be at least 8 pixels.", nameof(mask));
        int[] columns = PilNearest(mask.Width, width), rows = PilNearest(mask.Height, height);
        var plane = new float[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                plane[y * width + x] = 1f - luma[rows[y] * mask.Width + columns[x]] / 255f;
        var values = new float[latentChannels * plane.Length];
        for (int c = 0; c < latentChannels; c++)
            plane.CopyTo(values, c * plane.Length);
        return Tensor.FromArray(values, [1, latentChannels, height, width]);
    }

    /// <summary>PIL's NEAREST resampling index (Geometry.c affine transform at pixel centres, computed in double).</summary>
    private static int[] PilNearest(int input, int output)
    {
        double scale = (double)input / output;
        var indices = new int[output];
        for (int i = 0; i < output; i++)
            indices[i] = Math.Min((int)Math.Floor((i + 0.5) * scale), input - 1);
        return indices;
    }
}
