using System.CommandLine;
using System.Diagnostics;
using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.Training.Mini;

namespace Atelier.Cli.Commands;

/// <summary>
/// <c>atelier train embeddings</c>: encodes every image and caption of both splits once with the frozen CLIP-mini
/// (stages 2–4 never train it) into the embedding caches the prior and decoder train on.
/// </summary>
internal static class TrainEmbeddingsCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "The built data folder (holding images/…).", DefaultValueFactory = _ => Path.Combine("data", "atelier-mini") };
        var manifest = new Option<string>("--manifest") { Description = "The data set's manifest.", DefaultValueFactory = _ => Path.Combine("models", "atelier-mini", "data", "manifest.tsv") };
        var clip = new Option<string>("--clip") { Description = "Folder with clip.json, clip.safetensors and tokenizer/.", DefaultValueFactory = _ => Path.Combine("models", "atelier-mini") };
        var output = new Option<string>("--out") { Description = "Cache folder (train.safetensors, heldout.safetensors).", DefaultValueFactory = _ => Path.Combine("runs", "embeddings") };
        var threads = new Option<int>("--threads") { Description = "Compute threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("embeddings", "Encode both splits with the frozen CLIP-mini into the caches the prior and decoder train on.")
        {
            data, manifest, clip, output, threads,
        };
        command.SetAction(parse => MiniTrainVerb.Guard("train embeddings", () =>
        {
            EngineThreads.Count = Math.Max(1, parse.GetValue(threads));
            var encoder = MiniClipEncoder.Load(parse.GetValue(clip)!);
            foreach (string split in new[] { "train", "heldout" })
            {
                var clock = Stopwatch.StartNew();
                MiniDataSplit rows = MiniDataSplit.Load(parse.GetValue(manifest)!, parse.GetValue(data)!, split);
                MiniEmbeddingCache cache = MiniEmbeddingCaches.Build(encoder, rows, done =>
                {
                    if (done % 2048 < 128) Console.WriteLine($"{split}: {done}/{rows.Count} encoded ({clock.Elapsed.TotalSeconds:F0} s)");
                });
                string path = MiniEmbeddingCaches.PathFor(parse.GetValue(output)!, split);
                cache.Save(path, rows.Rows.Select(r => r.Id).ToArray());
                Console.WriteLine($"{split}: {rows.Count} rows, embeddings {cache.EmbeddingDim}, token states [{cache.Tokens}, {cache.TextWidth}] → {path} in {clock.Elapsed.TotalSeconds:F0} s");
            }
        }));
        return command;
    }
}
