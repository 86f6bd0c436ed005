using Atelier.Models.Mini;
using Atelier.Tensors;

namespace Atelier.Training.Mini;

/// <summary>
/// How atelier-mini makes its 32x32 images from the 64x64 data set, and how the upsampler's conditioning is corrupted
/// during training. <see cref="Downsample"/> is the one 64→32 rule of the whole chain (the decoder trains on its
/// output, the upsampler learns to invert it). <see cref="Degrade"/> follows unCLIP §2.1 ("we corrupt the
/// conditioning images … with gaussian blur"), adding a little gaussian noise as well, so the upsampler tolerates
/// the small errors of decoder samples instead of trusting every low-resolution pixel.
/// </summary>
public static class LowResolution
{
    /// <summary>Probability that an image is blurred.</summary>
    public const float BlurProbability = 0.5f;

    /// <summary>Blur standard deviation range (low-resolution pixels).</summary>
    public const float MinBlurSigma = 0.3f, MaxBlurSigma = 0.9f;

    /// <summary>Largest standard deviation of the added noise (in the [−1, 1] scale).</summary>
    public const float MaxNoise = 0.04f;

    /// <summary>2x2 box average: [B, C, 2S, 2S] → [B, C, S, S] (<see cref="MiniImageOps.Downsample"/>, shared with the pipeline's inpainting).</summary>
    public static Tensor Downsample(Tensor images) => MiniImageOps.Downsample(images);

    /// <summary>
    /// Corrupts low-resolution images [B, C, S, S]: per image, draws three uniforms (blur?, blur σ, noise level) and
    /// then C·S·S standard normals from <paramref name="generator"/>, in batch order; blurs with probability
    /// <see cref="BlurProbability"/> (separable 5-tap gaussian, edges clamped), then adds N(0, level²) noise with
    /// level ~ U(0, <see cref="MaxNoise"/>).
    /// </summary>
    public static Tensor Degrade(Tensor lowRes, TorchGenerator generator)
    {
        if (lowRes.Rank != 4)
            throw new TensorShapeException("low-resolution degrade", $"images {lowRes.Shape}", "[B, C, S, S]");
        int b = lowRes.Shape[0], c = lowRes.Shape[1], h = lowRes.Shape[2], w = lowRes.Shape[3];
        int image = c * h * w;
        float[] x = lowRes.ToFloatArray();
        Span<float> u = stackalloc float[3];
        var noise = new float[image];
        var scratch = new float[h * w];
        for (int n = 0; n < b; n++)
        {
            generator.Rand(u);
            generator.Randn(noise);
            Span<float> pixels = x.AsSpan(n * image, image);
            if (u[0] < BlurProbability)
            {
                float sigma = MinBlurSigma + (MaxBlurSigma - MinBlurSigma) * u[1];
                for (int ch = 0; ch < c; ch++)
                    Blur(pixels.Slice(ch * h * w, h * w), h, w, sigma, scratch);
            }
            float level = MaxNoise * u[2];
            for (int i = 0; i < image; i++)
                pixels[i] += level * noise[i];
        }
        return Tensor.FromArray(x, [b, c, h, w]);
    }

    /// <summary>Separable gaussian blur of one plane in place (taps −2…2, normalised, edge pixels repeated).</summary>
    internal static void Blur(Span<float> plane, int h, int w, float sigma, float[] scratch)
    {
        Span<float> k = stackalloc float[5];
        float sum = 0;
        for (int t = -2; t <= 2; t++) sum += k[t + 2] = MathF.Exp(-t * t / (2 * sigma * sigma));
        for (int t = 0; t < 5; t++) k[t] /= sum;
        for (int i = 0; i < h; i++)                                                 // rows → scratch
            for (int j = 0; j < w; j++)
            {
                float acc = 0;
                for (int t = -2; t <= 2; t++) acc += k[t + 2] * plane[i * w + Math.Clamp(j + t, 0, w - 1)];
                scratch[i * w + j] = acc;
            }
        for (int i = 0; i < h; i++)                                                 // columns → plane
            for (int j = 0; j < w; j++)
            {
                float acc = 0;
                for (int t = -2; t <= 2; t++) acc += k[t + 2] * scratch[Math.Clamp(i + t, 0, h - 1) * w + j];
                plane[i * w + j] = acc;
            }
    }
}
