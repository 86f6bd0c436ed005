using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.Training.Pipeline;
using Atelier.Training.Trainer;

namespace Atelier.Training.Mini;

/// <summary>
/// Stage 3 of atelier-mini: the 32x32 decoder. Each step: a batch of images reduced to 32x32
/// (<see cref="LowResolution.Downsample"/>, the same rule the upsampler inverts), their cached CLIP image
/// embeddings and caption token states, and <see cref="MiniDiffusionLoss.Decoder"/> (L_simple with the v target,
/// classifier-free dropout of the image embedding 10% and of the caption 50%, unCLIP §2.1). At the end the EMA
/// weights are exported as <c>decoder.safetensors</c> + <c>decoder.json</c> in the run folder.
/// </summary>
public static class DecoderTraining
{
    public const string WeightsFileName = "decoder.safetensors";
    public const string ConfigFileName = "decoder.json";

    /// <summary>unCLIP §2.1: "randomly setting the CLIP embeddings to zero (or a learned embedding) 10% of the time".</summary>
    public const float DropImage = 0.1f;

    /// <summary>unCLIP §2.1: "randomly dropping the text caption 50% of the time".</summary>
    public const float DropText = 0.5f;

    public static TrainingRunResult Run(MiniDecoderConfig config, DecodedImageSet images, MiniEmbeddingCache cache, MiniStageOptions options,
        ITrainingProgress? progress, Func<MiniDecoder, IReadOnlyDictionary<string, double>>? evaluate = null)
    {
        if (images.Count != cache.Count)
            throw new ArgumentException($"decoder training: {images.Count} images but {cache.Count} cached embeddings.", nameof(cache));
        if (cache.EmbeddingDim != config.ClipEmbeddingDim || cache.TextWidth != config.TextWidth)
            throw new ArgumentException($"decoder training: the cache has embeddings of {cache.EmbeddingDim} and token states of {cache.TextWidth}; "
                + $"the decoder expects {config.ClipEmbeddingDim} and {config.TextWidth}.", nameof(cache));
        var model = new MiniDecoder(config);
        model.InitializeWeights(new TorchGenerator(options.Seed));
        var schedule = new MiniNoiseSchedule();
        var (run, ema) = MiniStageRun.Create(model, images.Count, options, "atelier-mini-decoder", config.ToJson(), progress);

        var emaModel = new MiniDecoder(config);
        emaModel.InitializeWeights(new TorchGenerator(options.Seed));          // overwritten by the EMA weights before use
        var emaParameters = new TrainableParameters(emaModel);
        Tensor nullText = cache.NullTextStates();
        TrainingRunResult result = run.Run(
            step => MiniDiffusionLoss.Decoder(model, schedule, LowResolution.Downsample(images.Batch(step.Batch)),
                cache.ImageEmbeddings(step.Batch), cache.TextStates(step.Batch), nullText, DropImage, DropText, step.Generator),
            evaluate is null ? null : _ =>
            {
                emaParameters.Load(ema.Weights(), "decoder EMA");
                return evaluate(emaModel);
            });
        emaParameters.Load(ema.Weights(), "decoder EMA");
        MiniWeights.Export(emaModel, options.OutputDirectory, WeightsFileName, ConfigFileName, config.ToJson(), "atelier-mini-decoder", DType.F32);
        return result;
    }
}
