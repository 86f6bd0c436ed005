using System.CommandLine;
using Atelier.Cli.Progress;
using Atelier.Models.Mini;
using Atelier.Training.Mini;
using Atelier.Training.Trainer;

namespace Atelier.Cli.Commands;

/// <summary><c>atelier train prior</c>: stage 2 of atelier-mini, the diffusion prior, on the cached CLIP embeddings.</summary>
internal static class TrainPriorCommand
{
    public static Command Create()
    {
        var common = new MiniStageCommandOptions("prior", steps: 4000, batch: 256, learningRate: 1e-3f);
        var cache = new Option<string>("--cache") { Description = "Embedding cache folder (atelier train embeddings).", DefaultValueFactory = _ => Path.Combine("runs", "embeddings") };
        var width = new Option<int>("--width") { Description = "Residual stream width.", DefaultValueFactory = _ => new MiniPriorConfig().Width };
        var layers = new Option<int>("--layers") { Description = "Residual MLP blocks.", DefaultValueFactory = _ => new MiniPriorConfig().Layers };
        var command = new Command("prior", "Train the diffusion prior (x0 prediction over scaled CLIP image embeddings, text dropped 10%).") { cache, width, layers };
        common.AddTo(command);
        command.SetAction(parse => MiniTrainVerb.Guard("train prior", () =>
        {
            MiniStageOptions options = common.Read(parse);
            string manifest = common.Manifest(parse), data = common.DataRoot(parse), folder = parse.GetValue(cache)!;
            var ids = (string split) => Atelier.Training.Data.ManifestDataSet<string>.Open(manifest, data, split, p => p).Rows.Select(r => r.Id).ToArray();
            MiniEmbeddingCache train = MiniEmbeddingCache.Load(MiniEmbeddingCaches.PathFor(folder, "train"), ids("train"));
            MiniEmbeddingCache heldOut = MiniEmbeddingCache.Load(MiniEmbeddingCaches.PathFor(folder, "heldout"), ids("heldout"));
            var config = new MiniPriorConfig { EmbeddingDim = train.EmbeddingDim, Width = parse.GetValue(width), Layers = parse.GetValue(layers) }.Validate();
            var model = new MiniPrior(config);
            Console.WriteLine($"prior: {train.Count} train / {heldOut.Count} held-out pairs; {model.Parameters().Sum(p => p.Shape.ElementCount):N0} parameters, "
                + $"{model.ForwardFlopsPerSample() / 1e6:F1} MFLOP forward per sample; {Atelier.Tensors.EngineThreads.Count} threads");
            TrainingRunResult result = ConsoleTrainingProgress.Run("prior", progress => PriorTraining.Run(config, train, heldOut, options, progress));
            MiniTrainVerb.PrintResult("prior", result, Path.Combine(options.OutputDirectory, PriorTraining.WeightsFileName));
        }));
        return command;
    }
}
