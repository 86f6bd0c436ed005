using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// Sampling the decoder: CLIP image embedding (+ caption token states) → 32x32 image in [−1, 1], with classifier-free
/// guidance (Ho &amp; Salimans 2022) against the unconditional input (zero embedding, empty caption) as unCLIP's
/// decoder (Ramesh et al. 2022 §2.1), applied to x̂₀ — equivalent to guiding v or ε for a fixed x_t.
/// </summary>
public static class MiniDecoderSampling
{
    public const int DefaultSteps = 20;
    public const float DefaultGuidance = 3f;

    /// <summary>
    /// Draws x_T ~ N(0, I) [B, 3, S, S] from <paramref name="generator"/> and denoises it in <paramref name="steps"/>
    /// steps of <paramref name="solver"/>; <paramref name="afterStep"/> may replace the sample after each step (inpainting).
    /// </summary>
    /// <param name="imageEmbeddings">unit CLIP image embeddings [B, D].</param>
    /// <param name="textStates">caption token states [B, L, T] (or the empty caption's, repeated, for variations).</param>
    /// <param name="nullTextStates">the empty caption's token states [1, L, T].</param>
    public static Tensor Sample(MiniDecoder decoder, MiniNoiseSchedule schedule, Tensor imageEmbeddings, Tensor textStates, Tensor nullTextStates,
        TorchGenerator generator, int steps, float guidance, MiniSolver solver = MiniSolver.DpmSolverPlusPlus2M, MiniSampler.StepHook? afterStep = null)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        int b = imageEmbeddings.Shape[0], s = decoder.Config.SampleSize, c = decoder.Config.Channels;
        if (textStates.Rank != 3 || textStates.Shape[0] != b)
            throw new TensorShapeException("mini decoder sampling", $"text states {textStates.Shape} for {b} image embeddings", $"[{b}, L, T]");
        if (nullTextStates.Shape != new Shape(1, textStates.Shape[1], textStates.Shape[2]))
            throw new TensorShapeException("mini decoder sampling", $"empty-caption states {nullTextStates.Shape}", $"[1, {textStates.Shape[1]}, {textStates.Shape[2]}]");
        Tensor embeddings = Ops.Concat([imageEmbeddings, Tensor.Zeros(imageEmbeddings.Shape)], 0);              // [2B, D]
        Tensor nullRepeated = Ops.Concat(Enumerable.Repeat(nullTextStates, b).ToArray(), 0);                     // [B, L, T]
        Tensor states = Ops.Concat([textStates, nullRepeated], 0);                                               // [2B, L, T]
        Tensor noise = Tensor.FromArray(generator.Randn(b, c, s, s), [b, c, s, s]);                               // x_T [B, 3, S, S]
        return MiniSampler.Run(solver, schedule, steps, noise, (x, t) =>
        {
            var timesteps = new float[2 * b];
            Array.Fill(timesteps, t);
            var ts = new int[2 * b];
            Array.Fill(ts, t);
            Tensor doubled = Ops.Concat([x, x], 0);                                                             // [2B, 3, S, S]
            Tensor output = decoder.Forward(doubled, timesteps, embeddings, states);
            Tensor original = schedule.PredictedOriginal(doubled, output, ts, decoder.Config.Prediction);      // x̂₀ [2B, 3, S, S]
            Tensor conditional = original.Narrow(0, 0, b), unconditional = original.Narrow(0, b, b);
            return unconditional.Add(conditional.Sub(unconditional).Mul(guidance));                           // [B, 3, S, S]
        }, clipOriginal: true, afterStep);
    }
}
