using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

// Text-to-image latent diffusion: Rombach et al. 2022, "High-Resolution Image Synthesis with Latent Diffusion Models"
// (Sec. 3.3, conditioning by cross-attention), sampled with classifier-free guidance (Ho and Salimans 2022).
// Reference: diffusers 0.30.3 StableDiffusionPipeline.__call__, whose numbered steps Run follows; with the same seed
// (one torch.Generator on CPU) every random draw is the same, so the result is diffusers' within float rounding.
// Differences: no safety checker, no prompt-embedding inputs, LoRA, IP-adapter or guidance rescale; images are
// decoded one at a time; sizes the machine cannot hold are refused up front (MemoryEstimate).
// Shapes: B·n images (B prompts × n per prompt), L latent channels, h×w = H/f × W/f latents, D text width.

/// <summary>Generates images from text prompts with a Stable Diffusion model (a 4-channel, text-to-image UNet).</summary>
public sealed class TextToImagePipeline
{
    public TextToImagePipeline(StableDiffusionModel model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
    }

    public StableDiffusionModel Model { get; }

    /// <summary>
    /// One run. Throws <see cref="ArgumentException"/> for bad arguments (a size that is not a multiple of 8, an
    /// unknown scheduler, …), <see cref="GenerationTooLargeException"/> when the size cannot fit in memory, and
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires (checked before every UNet call).
    /// </summary>
    public PipelineResult Run(TextToImageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var observer = request.Observer;
        using var scope = TensorScope.Begin();

        // 0. Default height and width to the UNet's training size
        int width = request.Width ?? Model.DefaultImageSize;
        int height = request.Height ?? Model.DefaultImageSize;

        // 1. Check inputs
        PipelineChecks.Common(request);
        PipelineChecks.Size(Model, width, height);
        if (Model.IsInpainting)
            throw new InvalidOperationException($"{Model.Path}: the UNet takes {Model.UNet.Config.InChannels} input channels ({Model.Origins.UNet}), an inpainting UNet; it needs an image and a mask (InpaintPipeline), not text alone.");

        // 2. Define call parameters
        int batch = request.Prompts.Count * request.ImagesPerPrompt;
        bool guidance = ClassifierFreeGuidance.Applies(request.GuidanceScale);
        MemoryEstimate.Check(Model, guidance ? 2 * batch : batch, height, width, request.MemoryLimitBytes);
        var (noise, seed) = PipelineChecks.Noise(request);

        // 3. Encode input prompt
        var prompt = PromptEncoder.Encode(Model, request.Prompts, request.NegativePrompts, request.ImagesPerPrompt, guidance, request.ClipSkip);
        Tensor embeddings = prompt.Embeddings;                                                // [(2·)B·n, 77, D]
        observer?.PromptEmbeddings(embeddings);

        // 4. Prepare timesteps
        var scheduler = Model.CreateScheduler(request.Scheduler);
        scheduler.SetTimesteps(request.Steps);
        var timesteps = scheduler.Timesteps;

        // 5. Prepare latent variables: x_T ~ N(0, σ_init² I)
        Shape shape = [batch, Model.LatentChannels, height / Model.VaeScaleFactor, width / Model.VaeScaleFactor];
        PipelineChecks.Latents(request.Latents, shape);
        Tensor latents = request.Latents ?? noise.Randn(shape);                                // [B·n, L, h, w]
        latents = latents * scheduler.InitNoiseSigma;
        observer?.InitialLatents(latents);

        // 6. Denoising loop
        for (int i = 0; i < timesteps.Count; i++)
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
            latents = step.Keep(scheduler.Step(noisePrediction, t, latents, noise).PrevSample);             // x_{t-1}
            observer?.LatentsAfterStep(i, latents);
            request.OnStep?.Invoke(new DenoisingStep(i, timesteps.Count, t, latents));
        }
        observer?.FinalLatents(latents);

        // 7. Decode: x = D(z / scaling_factor), then to [0, 1] and 8-bit
        Tensor images = LatentSpace.Decode(Model, latents, observer);                         // [B·n, 3, H, W]
        return new PipelineResult(scope.Keep(images), VaeImageProcessor.ToImages(images), scope.Keep(latents), seed,
            scheduler.ClassName, prompt.Warnings);
    }
}
