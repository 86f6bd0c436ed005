using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

// Text-guided inpainting. Two ways, chosen by the UNet (gotcha G17, G29):
//  * an inpainting UNet (9 = 2L + 1 input channels, Rombach et al. 2022 Sec. 4.5) sees the mask and the masked
//    image's latents concatenated to its input, [z_t, m, E(x ⊙ (1 − m))], and repaints coherently;
//  * any text-to-image UNet (L channels) denoises the whole latent, and after every step the known region is
//    replaced by the init latents noised to the next timestep, add_noise(z_0, ε, t_{i+1}) (the "blended" method of
//    Avrahami et al. 2022, "Blended Diffusion", in latent space).
// Reference: diffusers 0.30.3 StableDiffusionInpaintPipeline.__call__ (numbered steps below). Random draws in its
// order: the init image's VAE sample (L-channel UNet, or strength < 1 without given latents), the initial noise
// (unless given), the masked image's VAE sample (drawn for both kinds of UNet).
// Differences: no padding_mask_crop, one init image and mask for the whole batch.
// Shapes: B·n images, L latent channels, H×W pixels, h×w = H/f × W/f latents.

/// <summary>Repaints the white part of a mask in an image, guided by text.</summary>
public sealed class InpaintPipeline
{
    public InpaintPipeline(StableDiffusionModel model)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
    }

    public StableDiffusionModel Model { get; }

    /// <summary>One run; throws as <see cref="TextToImagePipeline.Run"/> does.</summary>
    public PipelineResult Run(InpaintRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Image);
        ArgumentNullException.ThrowIfNull(request.Mask);
        var observer = request.Observer;
        using var scope = TensorScope.Begin();

        // 1. Check inputs
        PipelineChecks.Common(request);
        PipelineChecks.Strength(request.Strength);
        var (defaultWidth, defaultHeight) = PipelineChecks.DefaultSize(Model, request.Image);
        int width = request.Width ?? defaultWidth, height = request.Height ?? defaultHeight;
        PipelineChecks.Size(Model, width, height);
        int channels = Model.LatentChannels;
        bool maskChannels = Model.IsInpainting;       // else an L-channel UNet: blend after every step (ModelFit allows only these two)

        // 2. Define call parameters
        int batch = request.Prompts.Count * request.ImagesPerPrompt;
        bool guidance = ClassifierFreeGuidance.Applies(request.GuidanceScale);
        MemoryEstimate.Check(Model, guidance ? 2 * batch : batch, height, width, request.MemoryLimitBytes);
        var (noise, seed) = PipelineChecks.Noise(request);

        // 3. Encode input prompt
        var prompt = PromptEncoder.Encode(Model, request.Prompts, request.NegativePrompts, request.ImagesPerPrompt, guidance, request.ClipSkip);
        Tensor embeddings = prompt.Embeddings;                                                // [(2·)B·n, 77, D]
        observer?.PromptEmbeddings(embeddings);

        // 4. Set timesteps
        var scheduler = Model.CreateScheduler(request.Scheduler);
        scheduler.SetTimesteps(request.Steps);
        var window = scheduler.BeginAtStrength(request.Strength);
        var timesteps = window.Timesteps;
        bool fromPureNoise = request.Strength == 1.0;

        // 5. Preprocess mask and image
        Tensor image = VaeImageProcessor.ToTensor(request.Image, width, height);              // [1, 3, H, W] in [-1, 1]
        Tensor maskCondition = VaeImageProcessor.MaskToTensor(request.Mask, width, height);   // [1, 1, H, W], 1 = repaint

        // 6. Prepare latent variables
        Shape shape = [batch, channels, height / Model.VaeScaleFactor, width / Model.VaeScaleFactor];
        PipelineChecks.Latents(request.Latents, shape);
        Tensor? imageLatents = null;
        if (!maskChannels || (request.Latents is null && !fromPureNoise))
            imageLatents = LatentSpace.Copies(LatentSpace.Encode(Model, image, 1, noise), batch);   // [B·n, L, h, w]
        Tensor initialNoise = request.Latents ?? noise.Randn(shape);                          // [B·n, L, h, w]
        Tensor latents = request.Latents is null && !fromPureNoise
            ? scheduler.AddNoise(imageLatents!, initialNoise, window.NoiseTimestep)
            : initialNoise * scheduler.InitNoiseSigma;
        observer?.InitialLatents(latents);

        // 7. Prepare mask latent variables: m at latent size, E(x ⊙ (1 − m)) (drawn for both kinds of UNet)
        Tensor maskedImage = image * (1f - maskCondition);                                    // [1, 3, H, W]
        Tensor mask = VaeImageProcessor.ResizeNearest(maskCondition, shape[2], shape[3]);     // [1, 1, h, w]
        Tensor maskedImageLatents = LatentSpace.Encode(Model, maskedImage, 1, noise);         // [1, L, h, w]
        mask = LatentSpace.Copies(mask, batch);                                               // [B·n, 1, h, w]
        maskedImageLatents = LatentSpace.Copies(maskedImageLatents, batch);                   // [B·n, L, h, w]
        Tensor unetMask = guidance ? Ops.Concat([mask, mask], 0) : mask;                      // [(2·)B·n, 1, h, w]
        Tensor unetMasked = guidance ? Ops.Concat([maskedImageLatents, maskedImageLatents], 0) : maskedImageLatents;

        // 8. Check that the UNet takes what is prepared
        int expected = maskChannels ? channels + 1 + channels : channels;
        if (Model.UNet.Config.InChannels != expected)
            throw new InvalidOperationException($"{Model.Path}: the UNet takes {Model.UNet.Config.InChannels} input channels ({Model.Origins.UNet}); inpainting prepares {expected}.");

        // 9. Denoising loop
        for (int i = 0; i < timesteps.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double t = timesteps[i];
            using var step = TensorScope.Begin();
            Tensor input = guidance ? Ops.Concat([latents, latents], 0) : latents;           // [(2·)B·n, L, h, w]
            input = scheduler.ScaleModelInput(input, t);
            if (maskChannels)
                input = Ops.Concat([input, unetMask, unetMasked], 1);                         // [(2·)B·n, 2L + 1, h, w]
            Tensor noisePrediction = Model.UNet.Forward(input, t, embeddings);               // [(2·)B·n, L, h, w]
            observer?.UNetCall(i, input, t, noisePrediction);
            if (guidance)
                noisePrediction = ClassifierFreeGuidance.Combine(noisePrediction, request.GuidanceScale);   // [B·n, L, h, w]
            latents = scheduler.Step(noisePrediction, t, latents, noise).PrevSample;
            if (!maskChannels)
            {
                // Known region: the init latents at the noise level of the next step (clean after the last one).
                Tensor known = i < timesteps.Count - 1 ? scheduler.AddNoise(imageLatents!, initialNoise, timesteps[i + 1]) : imageLatents!;
                latents = (1f - mask) * known + mask * latents;                               // [B·n, L, h, w]
            }
            latents = step.Keep(latents);
            observer?.LatentsAfterStep(i, latents);
            request.OnStep?.Invoke(new DenoisingStep(i, timesteps.Count, t, latents));
        }
        observer?.FinalLatents(latents);

        // 10. Decode
        Tensor images = LatentSpace.Decode(Model, latents, observer);                         // [B·n, 3, H, W]
        return new PipelineResult(scope.Keep(images), VaeImageProcessor.ToImages(images), scope.Keep(latents), seed,
            scheduler.ClassName, prompt.Warnings);
    }
}
