using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// The training objectives of the prior and the decoder: draw t ~ U{0, …, T−1} and ε ~ N(0, I) per sample, noise the
/// data (DDPM eq. 4), predict, and take the mean squared error against the target — DDPM's L_simple (eq. 14) with the
/// v target (Salimans &amp; Ho 2022 §4) for the decoder and the x₀ target for the prior (unCLIP §2.2). Classifier-free
/// guidance dropout (Ho &amp; Salimans 2022) replaces the conditioning of a random subset of the batch by the
/// unconditional input. Every random number comes from the caller's generator, in a fixed order (timesteps, noise,
/// dropout draws), so a resumed run continues bit for bit.
/// </summary>
public static class MiniDiffusionLoss
{
    /// <summary>
    /// The decoder's loss for clean 32x32 images <paramref name="images"/> [B, 3, S, S] in [−1, 1] with their unit
    /// CLIP image embeddings [B, D] and caption token states [B, L, T]. With probability
    /// <paramref name="dropImage"/> a sample's image embedding is zeroed, and independently with probability
    /// <paramref name="dropText"/> its caption states become <paramref name="nullTextStates"/> [1, L, T] (the empty
    /// caption's); unCLIP §2.1 drops the embedding 10% and the caption 50% of the time.
    /// </summary>
    public static Tensor Decoder(MiniDecoder model, MiniNoiseSchedule schedule, Tensor images, Tensor imageEmbeddings, Tensor textStates,
        Tensor nullTextStates, float dropImage, float dropText, TorchGenerator generator)
    {
        int b = images.Shape[0];
        int[] timesteps = DrawTimesteps(schedule, b, generator);
        Tensor noise = Tensor.FromArray(generator.Randn(images.Shape.ToArray()), images.Shape);     // [B, 3, S, S]
        (Tensor keepImage, Tensor keepText) = DrawKeepMasks(b, dropImage, dropText, generator);     // [B, 1] each
        Tensor embeddings = imageEmbeddings.Mul(keepImage);                                          // [B, D]
        Tensor keep3 = keepText.Reshape(b, 1, 1);                                                    // [B, 1, 1]
        Tensor text = textStates.Mul(keep3).Add(nullTextStates.Mul(keep3.Neg().Add(1f)));           // [B, L, T]

        Tensor noisy = schedule.AddNoise(images, noise, timesteps);                                  // x_t
        Tensor target = model.Config.Prediction == MiniPrediction.Velocity ? schedule.Velocity(images, noise, timesteps) : noise;
        Tensor prediction = model.Forward(noisy, AsFloats(timesteps), embeddings, text);
        return Ops.MseLoss(prediction, target);
    }

    /// <summary>
    /// The prior's loss: predict the clean scaled image embedding <paramref name="imageEmbeddings"/> [B, D] from its
    /// noised version and the scaled text embedding [B, D], which is zeroed with probability <paramref name="dropText"/>
    /// (10% in the design, as unCLIP's prior).
    /// </summary>
    public static Tensor Prior(MiniPrior model, MiniNoiseSchedule schedule, Tensor imageEmbeddings, Tensor textEmbeddings, float dropText,
        TorchGenerator generator)
    {
        int b = imageEmbeddings.Shape[0];
        int[] timesteps = DrawTimesteps(schedule, b, generator);
        Tensor noise = Tensor.FromArray(generator.Randn(imageEmbeddings.Shape.ToArray()), imageEmbeddings.Shape);
        (_, Tensor keepText) = DrawKeepMasks(b, 0f, dropText, generator);
        Tensor noisy = schedule.AddNoise(imageEmbeddings, noise, timesteps);
        Tensor prediction = model.Forward(noisy, AsFloats(timesteps), textEmbeddings.Mul(keepText));
        return Ops.MseLoss(prediction, imageEmbeddings);
    }

    private static int[] DrawTimesteps(MiniNoiseSchedule schedule, int batch, TorchGenerator generator) =>
        generator.RandInt(0, schedule.TrainSteps, batch).Select(t => (int)t).ToArray();

    /// <summary>1 keeps a sample's conditioning, 0 drops it; one uniform draw per sample and per kind.</summary>
    private static (Tensor Image, Tensor Text) DrawKeepMasks(int batch, float dropImage, float dropText, TorchGenerator generator)
    {
        float[] u = generator.Rand(2 * batch);
        var image = new float[batch];
        var text = new float[batch];
        for (int i = 0; i < batch; i++)
        {
            image[i] = u[2 * i] < dropImage ? 0f : 1f;
            text[i] = u[2 * i + 1] < dropText ? 0f : 1f;
        }
        return (Tensor.FromArray(image, [batch, 1]), Tensor.FromArray(text, [batch, 1]));
    }

    private static float[] AsFloats(int[] timesteps) => timesteps.Select(t => (float)t).ToArray();
}
