using Atelier.Nn;
using Atelier.Tensors;
using Atelier.Training.Trainer;

namespace Atelier.Training.Mini;

/// <summary>
/// The training run every atelier-mini stage (prior, decoder, upsampler) shares: AdamW with weight decay on linear and
/// conv weights, EMA, warmup + cosine learning rate, seeded epoch batching, and checkpoints that record the stage's
/// name and config.
/// </summary>
internal static class MiniStageRun
{
    /// <summary>A run over <paramref name="model"/> (already initialised) on <paramref name="examples"/> training examples.</summary>
    public static (TrainingRun Run, Ema Ema) Create(Module model, int examples, MiniStageOptions options, string modelName, string configJson,
        ITrainingProgress? progress)
    {
        var parameters = new TrainableParameters(model);
        var optimizer = new AdamW(parameters, new AdamWOptions { WeightDecay = options.WeightDecay }, WeightDecayPolicy.LinearAndConvWeights(model));
        var ema = new Ema(parameters, options.EmaDecay);
        var run = new TrainingRun(parameters, optimizer, ema,
            new LearningRateSchedule(options.LearningRate, options.WarmupSteps, options.Steps),
            new EpochBatchSampler(examples, options.BatchSize, options.Seed),
            new TorchGenerator(options.Seed + 1),
            new TrainingRunOptions
            {
                OutputDirectory = options.OutputDirectory,
                Resume = options.Resume,
                TimeBudget = options.TimeBudget,
                StepLimit = options.StepLimit,
                CheckpointInterval = options.CheckpointInterval,
                Metadata = new Dictionary<string, string> { ["model"] = modelName, ["config"] = configJson },
            },
            progress);
        return (run, ema);
    }
}
