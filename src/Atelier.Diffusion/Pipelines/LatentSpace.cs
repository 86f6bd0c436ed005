using Atelier.Diffusion.Schedulers;
using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

/// <summary>
/// Between images and the latents the UNet works on (gotchas G20, G21): encoding samples the VAE posterior and
/// multiplies by the scaling factor (diffusers <c>_encode_vae_image</c> with <c>sample_mode="sample"</c>); decoding
/// divides by it, decodes and maps to [0, 1]. Images are encoded and decoded one at a time, so the VAE's memory is
/// that of one image (identical results: no VAE layer mixes images of a batch); the VAE tiles by itself above its
/// size threshold (<see cref="Models.Vae.VaeTiling"/>).
/// </summary>
public static class LatentSpace
{
    /// <summary>
    /// scaling_factor · (mean + std · ε) for <paramref name="copies"/> copies of one image, with ε one draw of the
    /// whole [copies, L, h, w] shape, as diffusers draws for an image batch of that size.
    /// </summary>
    // image [1, 3, H, W] in [-1, 1] -> [copies, L, H/f, W/f]
    public static Tensor Encode(StableDiffusionModel model, Tensor image, int copies, INoiseSource noise)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(noise);
        if (image.Rank != 4 || image.Shape[0] != 1)
            throw new TensorShapeException("LatentSpace.Encode", $"image {image.Shape}", "one image [1, 3, H, W]");
        using var scope = TensorScope.Begin();
        var posterior = model.Vae.Encode(image);          // mean, std [1, L, h, w]
        Tensor mean = Copies(posterior.Mean, copies);     // [copies, L, h, w]
        Tensor std = Copies(posterior.Std, copies);       // [copies, L, h, w]
        Tensor epsilon = noise.Randn(mean.Shape);         // [copies, L, h, w]
        Tensor sample = mean + std * epsilon;
        return scope.Keep(sample * (float)model.Vae.ScalingFactor);
    }

    /// <summary>Images in [0, 1] from latents: decode(latents / scaling_factor), then clamp(x / 2 + 0.5, 0, 1).</summary>
    // latents [B, L, h, w] -> [B, 3, h·f, w·f]
    public static Tensor Decode(StableDiffusionModel model, Tensor latents, IPipelineObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(latents);
        using var scope = TensorScope.Begin();
        Tensor input = latents / (float)model.Vae.ScalingFactor;   // [B, L, h, w]
        observer?.DecodeInput(input);
        var images = new Tensor[input.Shape[0]];
        for (int b = 0; b < images.Length; b++)
            images[b] = model.Vae.Decode(input.Narrow(0, b, 1));     // [1, 3, H, W]
        Tensor decoded = images.Length == 1 ? images[0] : Ops.Concat(images, 0);   // [B, 3, H, W]
        return scope.Keep(VaeImageProcessor.Postprocess(decoded));
    }

    /// <summary>The rows of <paramref name="x"/> [1, …] repeated <paramref name="copies"/> times ([copies, …]).</summary>
    internal static Tensor Copies(Tensor x, int copies) => copies == 1 ? x : Ops.Concat(Enumerable.Repeat(x, copies).ToArray(), 0);
}
