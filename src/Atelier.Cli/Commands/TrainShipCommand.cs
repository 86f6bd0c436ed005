using System.CommandLine;
using Atelier.Models.Mini;
using Atelier.Nn;
using Atelier.Tensors;
using Atelier.Training.Mini;

namespace Atelier.Cli.Commands;

/// <summary>
/// <c>atelier train ship</c>: copies the trained prior, decoder and upsampler (EMA weights exported by their runs,
/// F32) into the model folder as F16 safetensors + json configs, the shipped layout <see cref="MiniPipeline.Load"/> reads.
/// </summary>
internal static class TrainShipCommand
{
    public static Command Create()
    {
        var runs = new Option<string>("--runs") { Description = "Folder holding the prior/, decoder/ and upsampler/ runs.", DefaultValueFactory = _ => "runs" };
        var model = new Option<string>("--model") { Description = "Model folder to write.", DefaultValueFactory = _ => Path.Combine("models", "atelier-mini") };
        var command = new Command("ship", "Write the trained prior, decoder and upsampler to the model folder as F16 safetensors + json.") { runs, model };
        command.SetAction(parse => MiniTrainVerb.Guard("train ship", () =>
        {
            string from = parse.GetValue(runs)!, to = parse.GetValue(model)!;
            Ship(MiniModelFiles.LoadPrior(Path.Combine(from, "prior")), to, PriorTraining.WeightsFileName, PriorTraining.ConfigFileName,
                p => p.Config.ToJson(), "atelier-mini-prior");
            Ship(MiniModelFiles.LoadDecoder(Path.Combine(from, "decoder")), to, DecoderTraining.WeightsFileName, DecoderTraining.ConfigFileName,
                d => d.Config.ToJson(), "atelier-mini-decoder");
            Ship(MiniModelFiles.LoadUpsampler(Path.Combine(from, "upsampler")), to, UpsamplerTraining.WeightsFileName, UpsamplerTraining.ConfigFileName,
                u => u.Config.ToJson(), "atelier-mini-upsampler");
        }));
        return command;
    }

    private static void Ship<T>(T model, string folder, string weights, string config, Func<T, string> json, string name) where T : Module
    {
        MiniWeights.Export(model, folder, weights, config, json(model), name, DType.F16);
        long parameters = model.Parameters().Sum(p => p.Shape.ElementCount);
        Console.WriteLine($"{name}: {parameters:N0} parameters → {Path.Combine(folder, weights)} ({new FileInfo(Path.Combine(folder, weights)).Length / 1e6:F2} MB, F16)");
    }
}
