using System.CommandLine;
using System.Diagnostics;
using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.Training.Evaluation;
using Atelier.Training.Mini;

namespace Atelier.Cli.Commands;

/// <summary>
/// <c>atelier eval</c>: atelier-mini on its held-out concepts — caption→image retrieval top-1 of 10, Fréchet CLIP
/// distance next to the real-vs-real floor, the variations check and a contact sheet; writes <c>eval.md</c>.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (clip, prior, decoder, upsampler).", DefaultValueFactory = _ => Path.Combine("models", "atelier-mini") };
        var data = new Option<string>("--data") { Description = "The built data folder (holding images/…).", DefaultValueFactory = _ => Path.Combine("data", "atelier-mini") };
        var manifest = new Option<string>("--manifest") { Description = "The data set's manifest.", DefaultValueFactory = _ => Path.Combine("models", "atelier-mini", "data", "manifest.tsv") };
        var output = new Option<string>("--out") { Description = "Folder for eval.md and contact-sheet.png.", DefaultValueFactory = _ => Path.Combine("runs", "eval") };
        var queries = new Option<int>("--queries") { Description = "Held-out captions to generate (half A of the held-out split, at most).", DefaultValueFactory = _ => 200 };
        var variations = new Option<int>("--variations") { Description = "Held-out images to vary.", DefaultValueFactory = _ => 50 };
        var seed = new Option<ulong>("--seed") { Description = "Base seed.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Compute threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("eval", "Evaluate atelier-mini on held-out concepts (retrieval, Fréchet CLIP distance, variations, contact sheet).")
        {
            model, data, manifest, output, queries, variations, seed, threads,
        };
        command.SetAction(parse => MiniTrainVerb.Guard("eval", () =>
        {
            EngineThreads.Count = Math.Max(1, parse.GetValue(threads));
            var clock = Stopwatch.StartNew();
            var pipeline = MiniPipeline.Load(parse.GetValue(model)!);
            MiniDataSplit heldOut = MiniDataSplit.Load(parse.GetValue(manifest)!, parse.GetValue(data)!, "heldout");
            MiniDataSplit train = MiniDataSplit.Load(parse.GetValue(manifest)!, parse.GetValue(data)!, "train");
            string folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            var options = new MiniGenerateOptions { Seed = parse.GetValue(seed) };
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            MiniEvaluationResult result = MiniEvaluation.Run(pipeline, heldOut, train, parse.GetValue(queries), parse.GetValue(variations),
                Path.Combine(folder, "contact-sheet.png"), options, Console.WriteLine);
            string commandLine = "atelier " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            string markdown = result.ToMarkdown(commandLine);
            File.WriteAllText(Path.Combine(folder, "eval.md"), markdown);
            Console.WriteLine(markdown);
            Console.WriteLine($"eval: {clock.Elapsed.TotalMinutes:F1} min wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMinutes:F1} min CPU, {EngineThreads.Count} threads → {folder}/eval.md");
        }));
        return command;
    }
}
