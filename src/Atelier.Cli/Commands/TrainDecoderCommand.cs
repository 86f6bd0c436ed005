using System.CommandLine;
using Atelier.Cli.Progress;
using Atelier.Models.Mini;
using Atelier.Training.Mini;
using Atelier.Training.Trainer;

namespace Atelier.Cli.Commands;

/// <summary><c>atelier train decoder</c>: stage 3 of atelier-mini, the 32x32 decoder, on the cached CLIP embeddings.</summary>
internal static class TrainDecoderCommand
{
    public static Command Create()
    {
        var common = new MiniStageCommandOptions("decoder", steps: 6000, batch: 32, learningRate: 5e-4f);
        var cache = new Option<string>("--cache") { Description = "Embedding cache folder (atelier train embeddings).", DefaultValueFactory = _ => Path.Combine("runs", "embeddings") };
        var widths = new Option<string>("--widths") { Description = "UNet widths per level, comma-separated.", DefaultValueFactory = _ => "32,64,128" };
        var command = new Command("decoder", "Train the 32x32 decoder (v-prediction, cosine schedule, CFG dropout: image 10%, caption 50%).") { cache, widths };
        common.AddTo(command);
        command.SetAction(parse => MiniTrainVerb.Guard("train decoder", () =>
        {
            MiniStageOptions options = common.Read(parse);
            MiniDataSplit train = MiniDataSplit.Load(common.Manifest(parse), common.DataRoot(parse), "train");
            MiniEmbeddingCache embeddings = MiniEmbeddingCaches.Load(parse.GetValue(cache)!, train, "train");
            int[] levels = parse.GetValue(widths)!.Split(',').Select(int.Parse).ToArray();
            var config = new MiniDecoderConfig
            {
                BlockOutChannels = levels,
                AttentionLevels = levels.Select((_, i) => i == levels.Length - 1).ToArray(),
                ClipEmbeddingDim = embeddings.EmbeddingDim,
                TextWidth = embeddings.TextWidth,
            }.Validate();
            var model = new MiniDecoder(config);
            Console.WriteLine($"decoder: {train.Count} images; {model.Parameters().Sum(p => p.Shape.ElementCount):N0} parameters, "
                + $"{model.ForwardFlopsPerSample(embeddings.Tokens) / 1e6:F0} MFLOP forward per image ({embeddings.Tokens} caption tokens); "
                + $"{Atelier.Tensors.EngineThreads.Count} threads");
            TrainingRunResult result = ConsoleTrainingProgress.Run("decoder", progress => DecoderTraining.Run(config, train.Images, embeddings, options, progress));
            MiniTrainVerb.PrintResult("decoder", result, Path.Combine(options.OutputDirectory, DecoderTraining.WeightsFileName));
        }));
        return command;
    }
}
