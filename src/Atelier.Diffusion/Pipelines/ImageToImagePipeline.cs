using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

// Image-to-image (SDEdit: Meng et al. 2022, "SDEdit: Guided Image Synthesis and Editing with Stochastic Differential
// Equations"): noise the init image's latents to an intermediate timestep and denoise from there. Reference: diffusers
// 0.30.3 StableDiffusionImg2ImgPipeline.__call__ (numbered steps below). Random draws in diffusers' order: first the
// VAE posterior sample of the image, then the noise added at the first timestep (gotcha G29).
// Differences: one init image (its latents are shared by the whole batch, as diffusers does for a single image); a
// resize, when needed, is not PIL's Lanczos (see VaeImageProcessor).
// Shapes: B·n images, L latent channels, h×w = H/f × W/f latents.

/// <summary>Repaints a whole image guided by text, keeping more of it the lower the strength.</summary>
public sealed class ImageToImagePipeline
{
    public ImageToImagePipeline(StableDiffusionModel model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
    }

    public StableDiffusionModel Model { get; }

    /// <summary>One run; throws as <see cref="TextToImagePipeline.Run"/> does, and for a strength that leaves no step to run.</summary>
    public PipelineResult Run(ImageToImageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Image);
        var observer = request.Observer;
        using var scope = TensorScope.Begin();

        // 1. Check inputs
        PipelineChecks.Common(request);
        PipelineChecks.Strength(request.Strength);
        var (defaultWidth, defaultHeight) = PipelineChecks.DefaultSize(Model, request.Image);
        int width = request.Width ?? defaultWidth, height = request.Height ?? defaultHeight;
        PipelineChecks.Size(Model, width, height);
        if (Model.IsInpainting)
            throw new InvalidOperationException($"{Model.Path}: the UNet takes {Model.UNet.Config.InChannels} input channels ({Model.Origins.UNet}), an inpainting UNet; use InpaintPipeline with a mask.");

        // 2. Define call parameters
        int batch = request.Prompts.Count * request.ImagesPerPrompt;
        bool guidance = ClassifierFreeGuidance.Applies(request.GuidanceScale);
        MemoryEstimate.Check(Model, guidance ? 2 * batch : batch, height, width, request.MemoryLimitBytes);
        var (noise, seed) = PipelineChecks.Noise(request);

        // 3. Encode input prompt
        var prompt = PromptEncoder.Encode(Model, request.Prompts, request.NegativePrompts, request.ImagesPerPrompt, guidance, request.ClipSkip);
        Tensor embeddings = prompt.Embeddings;                                                // [(2·)B·n, 77, D]
        observer?.PromptEmbeddings(embeddings);

        // 4. Preprocess image: RGB in [-1, 1]
        Tensor image = VaeImageProcessor.ToTensor(request.Image, width, height);              // [1, 3, H, W]

        // 5. Set timesteps: run the last int(N · strength) steps
        var scheduler = Model.CreateScheduler(request.Scheduler);
        scheduler.SetTimesteps(request.Steps);
        var window = scheduler.BeginAtStrength(request.Strength);
        var timesteps = window.Timesteps;

        // 6. Prepare latent variables: z_t = sqrt(ᾱ_t) · z_0 + sqrt(1 − ᾱ_t) · ε at the first timestep run
        Tensor initLatents = LatentSpace.Encode(Model, image, 1, noise);                     // [1, L, h, w]
        initLatents = LatentSpace.Copies(initLatents, batch);                                 // [B·n, L, h, w]
        Tensor startNoise = noise.Randn(initLatents.Shape);                                   // [B·n, L, h, w]
        Tensor latents = scheduler.AddNoise(initLatents, startNoise, window.NoiseTimestep);   // [B·n, L, h, w]
        observer?.InitialLatents(latents);

        // 7. Denoising loop
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
            latents = step.Keep(scheduler.Step(noisePrediction, t, latents, noise).PrevSample);
            observer?.LatentsAfterStep(i, latents);
            request.OnStep?.Invoke(new DenoisingStep(i, timesteps.Count, t, latents));
        }
        observer?.FinalLatents(latents);

        // 8. Decode
        Tensor images = LatentSpace.Decode(Model, latents, observer);                         // [B·n, 3, H, W]
        return new PipelineResult(scope.Keep(images), VaeImageProcessor.ToImages(images), scope.Keep(latents), seed,
            scheduler.ClassName, prompt.Warnings);
    }
}
