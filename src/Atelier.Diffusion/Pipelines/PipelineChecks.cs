using System.Globalization;
using Atelier.Diffusion.Schedulers;
using Atelier.Formats.Images;
using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

/// <summary>
/// The argument checks every pipeline makes before any work (diffusers' <c>check_inputs</c>, with messages that say
/// what to change), and the one generator a run draws from.
/// </summary>
public static class PipelineChecks
{
    /// <summary>Image sides must be multiples of this (diffusers checks 8; Atelier also requires the VAE's own factor).</summary>
    public static int SizeMultiple(StableDiffusionModel model) => Lcm(8, model.VaeScaleFactor);

    /// <summary>Prompts, batch, steps, guidance, scheduler name.</summary>
    public static void Common(DiffusionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Prompts is null || request.Prompts.Count == 0)
            throw new ArgumentException("No prompt given: pass at least one prompt.", nameof(request));
        if (request.Prompts.Any(p => p is null) || request.NegativePrompts?.Any(p => p is null) == true)
            throw new ArgumentException("A prompt or negative prompt is null.", nameof(request));
        if (request.ImagesPerPrompt < 1)
            throw new ArgumentOutOfRangeException(nameof(request), request.ImagesPerPrompt, "Images per prompt must be at least 1.");
        if (request.Steps < 1)
            throw new ArgumentOutOfRangeException(nameof(request), request.Steps, "Steps must be at least 1.");
        if (!double.IsFinite(request.GuidanceScale) || request.GuidanceScale < 0)
            throw new ArgumentOutOfRangeException(nameof(request), request.GuidanceScale, "The guidance (CFG) scale must be a finite number ≥ 0 (1 = no guidance; 7.5 is usual).");
        if (request.Scheduler is { } name && !SchedulerRegistry.Names.Contains(name))
            throw new ArgumentException($"Unknown sampler '{name}'; valid samplers: {string.Join(", ", SchedulerRegistry.Names)}.", nameof(request));
    }

    /// <summary>Width and height must be positive multiples of <see cref="SizeMultiple"/> (8 for Stable Diffusion).</summary>
    public static void Size(StableDiffusionModel model, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(model);
        int multiple = SizeMultiple(model);
        if (width >= multiple && height >= multiple && width % multiple == 0 && height % multiple == 0)
            return;
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"Size {width}x{height} is not supported: width and height must be multiples of {multiple} (the VAE maps {model.VaeScaleFactor}x{model.VaeScaleFactor} pixels to one latent), e.g. {Nearest(width, multiple)}x{Nearest(height, multiple)}."));
    }

    /// <summary>Strength of img2img / inpainting: a number in [0, 1].</summary>
    public static void Strength(double strength)
    {
        if (!(strength >= 0 && strength <= 1))
            throw new ArgumentOutOfRangeException(nameof(strength), strength, "Strength must be in [0, 1] (1 = ignore the init image's content, 0 = keep it).");
    }

    /// <summary>Given initial latents must have the shape the run draws.</summary>
    public static void Latents(Tensor? latents, Shape expected)
    {
        if (latents is not null && latents.Shape != expected)
            throw new TensorShapeException("pipeline", $"given latents {latents.Shape}", $"latents of shape {expected} (batch, latent channels, height / f, width / f)");
    }

    /// <summary>
    /// The noise of a run: the caller's, or one <see cref="TorchGenerator"/> seeded with the request's seed (a random
    /// 32-bit seed when none is given, as AUTOMATIC1111 picks them), which every draw of the run comes from in
    /// diffusers' order.
    /// </summary>
    public static (INoiseSource Noise, ulong? Seed) Noise(DiffusionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Noise is { } given)
            return (given, null);
        ulong seed = request.Seed ?? (ulong)Random.Shared.NextInt64(0, 1L << 32);
        return (new TorchNoiseSource(new TorchGenerator(seed)), seed);
    }

    /// <summary>The default size of an init image: its own, rounded down to <see cref="SizeMultiple"/>.</summary>
    public static (int Width, int Height) DefaultSize(StableDiffusionModel model, Image image) =>
        VaeImageProcessor.DefaultSize(image, SizeMultiple(model));

    private static int Nearest(int value, int multiple) => Math.Max(multiple, (int)Math.Round(value / (double)multiple, MidpointRounding.AwayFromZero) * multiple);

    private static int Lcm(int a, int b)
    {
        int x = a, y = b;
        while (y != 0) (x, y) = (y, x % y);
        return a / x * b;
    }
}
