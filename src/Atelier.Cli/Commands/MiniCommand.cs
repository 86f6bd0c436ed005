using System.CommandLine;
using System.Diagnostics;
using Atelier.Formats.Images;
using Atelier.Models.Mini;
using Atelier.Tensors;

namespace Atelier.Cli.Commands;

/// <summary>
/// <c>atelier mini generate|vary|edit</c>: the default model (atelier-mini, 64x64) from the command line, with a
/// timing line. The main <c>generate/vary/edit</c> verbs call <see cref="MiniPipeline"/> the same way.
/// </summary>
internal static class MiniCommand
{
    public static Command Create()
    {
        var mini = new Command("mini", "Atelier's own 64x64 model (atelier-mini): generate, vary, edit.");
        mini.Subcommands.Add(Verb("generate", "An image from a caption.", needsImage: false, needsPrompt: true, needsMask: false));
        mini.Subcommands.Add(Verb("vary", "A variation of an image.", needsImage: true, needsPrompt: false, needsMask: false));
        mini.Subcommands.Add(Verb("edit", "Repaint the masked (white) region of an image following a caption.", needsImage: true, needsPrompt: true, needsMask: true));
        return mini;
    }

    private static Command Verb(string name, string description, bool needsImage, bool needsPrompt, bool needsMask)
    {
        var prompt = new Option<string>("--prompt") { Description = "Caption.", Required = true };
        var image = new Option<string>("--image") { Description = "Input PNG.", Required = true };
        var mask = new Option<string>("--mask") { Description = "Mask PNG (white = repaint).", Required = true };
        var output = new Option<string>("--out") { Description = "Output PNG.", DefaultValueFactory = _ => name + ".png" };
        var model = new Option<string?>("--model") { Description = "Model folder (default: the shipped atelier-mini, found as atelier generate finds it)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed (same seed → same image).", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Decoder steps.", DefaultValueFactory = _ => MiniDecoderSampling.DefaultSteps };
        var guidance = new Option<float>("--guidance") { Description = "Decoder guidance scale.", DefaultValueFactory = _ => MiniDecoderSampling.DefaultGuidance };
        var priorGuidance = new Option<float>("--prior-guidance") { Description = "Prior guidance scale.", DefaultValueFactory = _ => MiniPriorSampling.DefaultGuidance };
        var threads = new Option<int>("--threads") { Description = "Compute threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command(name, description) { output, model, seed, steps, guidance, priorGuidance, threads };
        if (needsPrompt) command.Options.Add(prompt);
        if (needsImage) command.Options.Add(image);
        if (needsMask) command.Options.Add(mask);
        command.SetAction(parse => MiniTrainVerb.Guard("mini " + name, () =>
        {
            EngineThreads.Count = Math.Max(1, parse.GetValue(threads));
            var load = Stopwatch.StartNew();
            var pipeline = MiniPipeline.Load(parse.GetValue(model) ?? GeneratorSelection.DefaultModelDirectory());
            load.Stop();
            var options = new MiniGenerateOptions
            {
                Seed = parse.GetValue(seed), DecoderSteps = parse.GetValue(steps), DecoderGuidance = parse.GetValue(guidance),
                PriorGuidance = parse.GetValue(priorGuidance),
            };
            var clock = Stopwatch.StartNew();
            Image result = name switch
            {
                "generate" => pipeline.Generate(parse.GetValue(prompt)!, options),
                "vary" => pipeline.Vary(PngDecoder.DecodeFile(parse.GetValue(image)!).Image, options),
                _ => pipeline.Edit(PngDecoder.DecodeFile(parse.GetValue(image)!).Image, PngDecoder.DecodeFile(parse.GetValue(mask)!).Image,
                    parse.GetValue(prompt)!, options),
            };
            clock.Stop();
            string path = parse.GetValue(output)!;
            File.WriteAllBytes(path, PngEncoder.Encode(result));
            Console.WriteLine($"{path}: 64x64 in {clock.Elapsed.TotalSeconds:F2} s ({EngineThreads.Count} threads; model load {load.Elapsed.TotalSeconds:F2} s), seed {options.Seed}");
        }));
        return command;
    }
}
