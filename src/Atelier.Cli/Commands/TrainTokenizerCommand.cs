using System.CommandLine;
using Atelier.Training.Data;
using Atelier.Training.Tokenizer;
using Spectre.Console;

namespace Atelier.Cli.Commands;

/// <summary>
/// <c>atelier train tokenizer</c>: learns the default model's byte-level BPE from the train-split captions and tags
/// and writes <c>models/atelier-mini/tokenizer/</c> (vocab.json, merges.txt, tokenizer_config.json).
/// </summary>
internal static class TrainTokenizerCommand
{
    public static Command Create()
    {
        var manifest = new Option<string>("--manifest")
        {
            Description = "The data card's manifest.",
            DefaultValueFactory = _ => Path.Combine("models", "atelier-mini", "data", "manifest.tsv"),
        };
        var output = new Option<string>("--out")
        {
            Description = "Tokenizer folder to write.",
            DefaultValueFactory = _ => Path.Combine("models", "atelier-mini", "tokenizer"),
        };
        var vocabulary = new Option<int>("--vocab")
        {
            Description = "Vocabulary size (512 byte symbols + merges + 2 special tokens).",
            DefaultValueFactory = _ => 4096,
        };
        var context = new Option<int?>("--context")
        {
            Description = "Context length (model_max_length); default: 32 if every caption fits, else the next multiple of 8.",
        };
        var command = new Command("tokenizer", "Learn the BPE vocabulary of the default model from its training captions.")
        {
            manifest, output, vocabulary, context,
        };
        command.SetAction(parse =>
        {
            try
            {
                IReadOnlyList<ManifestRow> rows = Manifest.Read(parse.GetValue(manifest)!);
                string folder = parse.GetValue(output)!;
                var (result, stats, length) = CaptionTokenizerTraining.TrainAndSave(rows, folder, parse.GetValue(vocabulary), parse.GetValue(context), augmentationTags: 3);
                AnsiConsole.MarkupLineInterpolated($"vocabulary   {result.Vocabulary.Count} tokens ({result.Merges.Count} merges) from {result.WordTypes} word types, {result.WordCount} words");
                AnsiConsole.MarkupLineInterpolated($"captions     {stats.Captions}: longest {stats.LongestCaption} tokens (bos+eos included), 99th percentile {stats.Percentile99}");
                AnsiConsole.MarkupLineInterpolated($"longest      \"{stats.LongestCaptionText}\"");
                AnsiConsole.MarkupLineInterpolated($"augmented    longest {stats.LongestAugmented} tokens with 3 extra tags; {stats.AugmentedOver32} captions exceed 32 that way (truncated)");
                AnsiConsole.MarkupLineInterpolated($"context      {length} → {Path.GetFullPath(folder)}");
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or ManifestFormatException)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]train tokenizer failed:[/] {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
