using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.Training.Trainer;

namespace Atelier.Training.Mini;

/// <summary>
/// Stage 2 of atelier-mini: the diffusion prior over CLIP image embeddings. Each step: the cached unit image and text
/// embeddings of a batch, both scaled by <see cref="MiniPriorConfig.EmbeddingScale"/>, and
/// <see cref="MiniDiffusionLoss.Prior"/> (x₀ target, text dropped 10% of the time; unCLIP §2.2). The checkpoint
/// evaluation samples the EMA prior on held-out captions and reports the mean cosine between its output and the true
/// image embedding next to the baseline cosine(text embedding, image embedding) (design: the prior's success check).
/// </summary>
public static class PriorTraining
{
    public const string WeightsFileName = "prior.safetensors";
    public const string ConfigFileName = "prior.json";

    /// <summary>unCLIP §2.2 drops the text conditioning 10% of the time.</summary>
    public const float DropText = 0.1f;

    /// <summary>Held-out captions the checkpoint evaluation samples.</summary>
    public const int EvaluationRows = 256;

    public static TrainingRunResult Run(MiniPriorConfig config, MiniEmbeddingCache train, MiniEmbeddingCache heldOut, MiniStageOptions options,
        ITrainingProgress? progress)
    {
        if (train.EmbeddingDim != config.EmbeddingDim)
            throw new ArgumentException($"prior training: the cache has {train.EmbeddingDim}-d embeddings; the prior expects {config.EmbeddingDim}.", nameof(train));
        var model = new MiniPrior(config);
        model.InitializeWeights(new TorchGenerator(options.Seed));
        var schedule = new MiniNoiseSchedule();
        var (run, ema) = MiniStageRun.Create(model, train.Count, options, "atelier-mini-prior", config.ToJson(), progress);

        var emaModel = new MiniPrior(config);
        emaModel.InitializeWeights(new TorchGenerator(options.Seed));          // overwritten by the EMA weights before use
        var emaParameters = new TrainableParameters(emaModel);
        float scale = config.EmbeddingScale;
        int[] evalRows = Enumerable.Range(0, Math.Min(EvaluationRows, heldOut.Count)).ToArray();
        TrainingRunResult result = run.Run(
            step => MiniDiffusionLoss.Prior(model, schedule, train.ImageEmbeddings(step.Batch).Mul(scale), train.TextEmbeddings(step.Batch).Mul(scale),
                DropText, step.Generator),
            _ =>
            {
                emaParameters.Load(ema.Weights(), "prior EMA");
                return Evaluate(emaModel, heldOut, evalRows, new TorchGenerator(options.Seed + 2));
            });
        emaParameters.Load(ema.Weights(), "prior EMA");
        MiniWeights.Export(emaModel, options.OutputDirectory, WeightsFileName, ConfigFileName, config.ToJson(), "atelier-mini-prior", DType.F32);
        return result;
    }

    /// <summary>
    /// Mean cosine(prior sample, true image embedding) over <paramref name="rows"/> with the default sampling
    /// settings, and the baseline mean cosine(text embedding, image embedding).
    /// </summary>
    public static IReadOnlyDictionary<string, double> Evaluate(MiniPrior prior, MiniEmbeddingCache heldOut, int[] rows, TorchGenerator generator)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = Autograd.NoGrad();
        Tensor text = heldOut.TextEmbeddings(rows);                                                   // [N, D]
        Tensor sampled = MiniPriorSampling.Sample(prior, new MiniNoiseSchedule(), text, generator, MiniPriorSampling.DefaultSteps,
            MiniPriorSampling.DefaultGuidance);                                                        // [N, D] unit
        Tensor image = heldOut.ImageEmbeddings(rows);
        return new Dictionary<string, double>
        {
            ["prior_cosine"] = sampled.Mul(image).Sum(1).Mean().Item(),
            ["text_image_cosine"] = text.Mul(image).Sum(1).Mean().Item(),
        };
    }
}
