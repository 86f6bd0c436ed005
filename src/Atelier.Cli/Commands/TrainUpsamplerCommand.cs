using System.CommandLine;
using System.Diagnostics;
using Atelier.Cli.Progress;
using Atelier.Models.Mini;
using Atelier.Training.Mini;
using Atelier.Training.Trainer;

namespace Atelier.Cli.Commands;

/// <summary><c>atelier train upsampler</c>: stage 4 of atelier-mini, the 32→64 upsampler (needs no CLIP).</summary>
internal static class TrainUpsamplerCommand
{
    public static Command Create()
    {
        var common = new MiniStageCommandOptions("upsampler", steps: 3000, batch: 32, learningRate: 1e-3f);
        var width = new Option<int>("--width") { Description = "Feature width.", DefaultValueFactory = _ => new MiniUpsamplerConfig().Width };
        var blocks = new Option<int>("--blocks") { Description = "Residual blocks.", DefaultValueFactory = _ => new MiniUpsamplerConfig().Blocks };
        var command = new Command("upsampler", "Train the 32→64 upsampler (L1 regression on blurred, noised 2x2 box averages).") { width, blocks };
        common.AddTo(command);
        command.SetAction(parse => MiniTrainVerb.Guard("train upsampler", () =>
        {
            MiniStageOptions options = common.Read(parse);
            var config = new MiniUpsamplerConfig { Width = parse.GetValue(width), Blocks = parse.GetValue(blocks) }.Validate();
            var clock = Stopwatch.StartNew();
            MiniDataSplit train = MiniDataSplit.Load(common.Manifest(parse), common.DataRoot(parse), "train");
            MiniDataSplit heldOut = MiniDataSplit.Load(common.Manifest(parse), common.DataRoot(parse), "heldout");
            Console.WriteLine($"upsampler: {train.Count} train / {heldOut.Count} held-out images decoded in {clock.Elapsed.TotalSeconds:F1} s; "
                + $"{new MiniUpsampler(config).Parameters().Sum(p => p.Shape.ElementCount):N0} parameters, "
                + $"{new MiniUpsampler(config).ForwardFlopsPerSample() / 1e6:F0} MFLOP forward per image; {Atelier.Tensors.EngineThreads.Count} threads");
            TrainingRunResult result = ConsoleTrainingProgress.Run("upsampler", progress => UpsamplerTraining.Run(config, train, heldOut, options, progress));
            MiniTrainVerb.PrintResult("upsampler", result, Path.Combine(options.OutputDirectory, UpsamplerTraining.WeightsFileName));
        }));
        return command;
    }
}
