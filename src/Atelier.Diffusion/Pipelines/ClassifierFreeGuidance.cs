using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

/// <summary>
/// Classifier-free guidance (Ho and Salimans 2022, "Classifier-Free Diffusion Guidance", eq. 6 in the form Imagen and
/// diffusers write it): ε = ε_uncond + w · (ε_cond − ε_uncond). The UNet batch is [uncond…, cond…] (gotcha G29) and
/// guidance runs only for w &gt; 1; w = 1 is the plain conditional model with a batch of one half the size.
/// </summary>
public static class ClassifierFreeGuidance
{
    /// <summary>True when a run with scale <paramref name="scale"/> doubles the UNet batch (diffusers <c>do_classifier_free_guidance</c>).</summary>
    public static bool Applies(double scale) => scale > 1.0;

    /// <summary>The guided prediction from the raw UNet output of the doubled batch, in diffusers' operation order.</summary>
    // prediction [2B, C, h, w] = [uncond, cond] -> [B, C, h, w]
    public static Tensor Combine(Tensor prediction, double scale)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (prediction.Rank < 1 || prediction.Shape[0] % 2 != 0)
            throw new TensorShapeException("classifier-free guidance", $"UNet output {prediction.Shape}", "an even batch [uncond…, cond…]");
        Tensor[] halves = prediction.Chunk(2, 0);
        Tensor uncond = halves[0], cond = halves[1];      // [B, C, h, w] each
        return uncond + (cond - uncond) * (float)scale;  // [B, C, h, w]
    }
}
