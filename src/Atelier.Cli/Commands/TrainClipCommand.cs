using System.CommandLine;
using System.Globalization;
using Atelier.Cli.Progress;
using Atelier.Formats.Tokenizers;
using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.Training.Data;
using Atelier.Training.Pipeline;
using Atelier.Training.Trainer;
using Spectre.Console;

namespace Atelier.Cli.Commands;

/// <summary>
/// <c>atelier train clip</c>: stage 1 of atelier-mini, CLIP-mini trained with the symmetric InfoNCE loss on the
/// train split (augmented images and captions), evaluated by held-out caption → image retrieval at every checkpoint;
/// compute threads come from ATELIER_THREADS (the engine reads it at start-up); with <c>--export</c> the EMA weights are written as <c>clip.safetensors</c> (F16) + <c>clip.json</c>.
/// </summary>
internal static class TrainClipCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Data folder holding images/… (the data build's --out).", Required = true };
        var manifest = new Option<string>("--manifest") { Description = "The data card's manifest.", DefaultValueFactory = _ => Path.Combine("models", "atelier-mini", "data", "manifest.tsv") };
        var tokenizer = new Option<string>("--tokenizer") { Description = "Tokenizer folder (atelier train tokenizer).", DefaultValueFactory = _ => Path.Combine("models", "atelier-mini", "tokenizer") };
        var output = new Option<string>("--out") { Description = "Run folder (checkpoint, logs, loss plot).", DefaultValueFactory = _ => Path.Combine("runs", "clip") };
        var export = new Option<string?>("--export") { Description = "Model folder receiving clip.safetensors (EMA, F16) and clip.json at the end (e.g. models/atelier-mini)." };
        var minutes = new Option<double?>("--minutes") { Description = "Wall-time budget of this session." };
        var steps = new Option<long>("--steps") { Description = "Length of the schedule (total optimizer steps).", DefaultValueFactory = _ => 2000 };
        var stepLimit = new Option<long?>("--step-limit") { Description = "Stop this session after this many steps (for measuring)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its checkpoint." };
        var batch = new Option<int>("--batch") { Description = "Pairs per contrastive batch.", DefaultValueFactory = _ => 256 };
        var lr = new Option<float>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 1e-3f };
        var warmup = new Option<int>("--warmup") { Description = "Warm-up steps.", DefaultValueFactory = _ => 100 };
        var imageSize = new Option<int>("--image-size") { Description = "Image tower resolution (64, or 32: the 64x64 images are 2x2-averaged).", DefaultValueFactory = _ => 32 };
        var tower = new Option<string>("--tower") { Description = "Image tower: resnet or vit.", DefaultValueFactory = _ => MiniClipImageTowers.ResNet };
        var checkpointMinutes = new Option<double>("--checkpoint-minutes") { Description = "Checkpoint (and evaluate) this often.", DefaultValueFactory = _ => 5 };
        var evaluateOnly = new Option<string?>("--evaluate") { Description = "Only evaluate the exported model in this folder (e.g. models/atelier-mini) on the held-out split; no training." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initialisation, data order and augmentation.", DefaultValueFactory = _ => 1234 };

        var command = new Command("clip", "Train CLIP-mini (stage 1): contrastive image/caption encoders.")
        {
            data, manifest, tokenizer, output, export, minutes, steps, stepLimit, resume, batch, lr, warmup, imageSize, tower, checkpointMinutes, seed, evaluateOnly,
        };
        command.SetAction(parse =>
        {
            try
            {
                var settings = new Settings(parse.GetValue(data)!, parse.GetValue(manifest)!, parse.GetValue(tokenizer)!, parse.GetValue(output)!,
                    parse.GetValue(export), parse.GetValue(minutes), parse.GetValue(steps), parse.GetValue(stepLimit), parse.GetValue(resume),
                    parse.GetValue(batch), parse.GetValue(lr), parse.GetValue(warmup), parse.GetValue(imageSize), parse.GetValue(tower)!,
                    parse.GetValue(checkpointMinutes), parse.GetValue(seed));
                return parse.GetValue(evaluateOnly) is { } folder ? EvaluateExported(folder, settings) : Run(settings);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or ManifestFormatException
                or InvalidOperationException or ArithmeticException or TensorShapeException)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]train clip failed:[/] {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private sealed record Settings(string Data, string Manifest, string Tokenizer, string Output, string? Export, double? Minutes,
        long Steps, long? StepLimit, bool Resume, int Batch, float LearningRate, int Warmup, int ImageSize, string Tower,
        double CheckpointMinutes, ulong Seed);

    private static int Run(Settings s)
    {
        ClipTokenizer tokenizer = ClipTokenizer.FromDirectory(s.Tokenizer);
        var config = MiniClipConfig.Default with
        {
            VocabSize = tokenizer.VocabularySize, ContextLength = tokenizer.MaxLength, ImageTower = s.Tower, ImageSize = s.ImageSize,
        };
        config.Validate("train clip");
        IReadOnlyList<ManifestRow> all = Manifest.Read(s.Manifest);
        ManifestRow[] train = all.Where(r => r.IsTrainable && r.Split == HeldOutSplit.Train).ToArray();
        ManifestRow[] heldOut = all.Where(r => r.IsTrainable && r.Split == HeldOutSplit.HeldOut).ToArray();
        Console.WriteLine($"data: {train.Length} train, {heldOut.Length} held-out pairs; decoding images from {Path.GetFullPath(s.Data)}");
        DecodedImageSet trainImages = DecodedImageSet.Load(train.Select(r => Path.Combine(s.Data, r.OutputPath)).ToArray(), 64);
        DecodedImageSet heldOutImages = DecodedImageSet.Load(heldOut.Select(r => Path.Combine(s.Data, r.OutputPath)).ToArray(), 64);

        var model = new MiniClip(config) { Tokenizer = tokenizer };
        model.Initialize(new TorchGenerator(s.Seed));
        var evalModel = new MiniClip(config) { Tokenizer = tokenizer };
        var parameters = new TrainableParameters(model);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model: {parameters.ElementCount / 1e6:F2} M parameters ({model.TextModel.ParameterCount / 1e6:F2} M text, {model.VisionModel.ParameterCount / 1e6:F2} M image), image tower {config.ImageTower} at {config.ImageSize}x{config.ImageSize}: {model.VisionModel.ForwardFlopsPerImage / 1e6:F1} MFLOP/image forward; threads: ATELIER_THREADS={Environment.GetEnvironmentVariable("ATELIER_THREADS") ?? "(all cores)"}"));

        var optimizer = new AdamW(parameters, new AdamWOptions { Beta2 = 0.98f, Epsilon = 1e-6f, WeightDecay = 0.1f }, WeightDecayPolicy.LinearAndConvWeights(model));
        var ema = new Ema(parameters, decay: 0.995f);
        var schedule = new LearningRateSchedule(s.LearningRate, s.Warmup, s.Steps, FinalLearningRate: s.LearningRate * 0.02f);
        var sampler = new EpochBatchSampler(train.Length, s.Batch, s.Seed, new EpochSamplingOptions
        {
            Groups = train.Select(r => r.Source + "/" + r.Concept).ToArray(),
            MaxPerGroup = 2,
            Sources = train.Select(r => r.Source).ToArray(),
        });
        var imageAugmentation = new RandomShiftScale(maxShift: 4f, minScale: 0.9f, maxScale: 1.1f);
        var captionAugmentation = new CaptionAugmentation(probability: 0.5f, maxExtraTags: 3);
        var options = new TrainingRunOptions
        {
            OutputDirectory = s.Output,
            Resume = s.Resume,
            StepLimit = s.StepLimit,
            TimeBudget = s.Minutes is { } m ? TimeSpan.FromMinutes(m) : null,
            CheckpointInterval = TimeSpan.FromMinutes(s.CheckpointMinutes),
            MaxGradientNorm = 1f,
            MetricNames = ["accuracy", "temperature"],
            Metadata = new Dictionary<string, string> { ["model"] = "atelier-mini-clip", ["config"] = config.ToJson() },
        };

        TrainingRunResult result = ConsoleTrainingProgress.Run("clip", progress =>
        {
            var run = new TrainingRun(parameters, optimizer, ema, schedule, sampler, new TorchGenerator(s.Seed + 1), options, progress);
            return run.Run(step =>
            {
                Tensor images = trainImages.Batch(step.Batch, imageAugmentation, step.Generator);     // [B, 3, 64, 64]
                var captions = step.Batch.Select(i => captionAugmentation.Augment(train[i].Caption, train[i].Tags, step.Generator)).ToArray();
                Tensor imageEmbeddings = model.ImageEmbeddings(images);                              // [B, E]
                var (textEmbeddings, _) = model.TextEmbeddings(model.Tokenize(captions));            // [B, E]
                Tensor temperature = model.Temperature();
                var (loss, logits) = MiniClip.ContrastiveLoss(imageEmbeddings, textEmbeddings, temperature);
                step.Metric("accuracy", DiagonalAccuracy(logits));
                step.Metric("temperature", temperature.Item());
                return loss;
            },
            evaluate: _ =>
            {
                evalModel.LoadWeights(ema.Weights(), "EMA weights");
                return Evaluate(evalModel, heldOut, heldOutImages, s.Batch);
            });
        });

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"steps {result.FirstStep} → {result.LastStep} of {result.TotalSteps} ({result.StopReason}); {result.ExamplesSeen} pairs seen; training {result.TrainingSeconds / 60:F1} min; session wall {result.SessionWallTime.TotalMinutes:F1} min, CPU {result.SessionCpuTime.TotalMinutes:F1} min; loss {result.SmoothedLoss:F4} (smoothed)"));
        if (result.Evaluation is { } evaluation)
            Console.WriteLine("held-out: " + string.Join(", ", evaluation.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key} {e.Value:G4}"))));
        if (s.Export is { } folder)
        {
            Directory.CreateDirectory(folder);
            var metadata = new Dictionary<string, string>
            {
                ["format"] = "atelier-mini-clip/1",
                ["step"] = result.LastStep.ToString(CultureInfo.InvariantCulture),
                ["training_minutes"] = (result.TrainingSeconds / 60).ToString("F1", CultureInfo.InvariantCulture),
            };
            WeightsFile.Write(Path.Combine(folder, MiniClip.WeightsFileName), ema.Weights(), metadata, DType.F16);
            File.WriteAllText(Path.Combine(folder, MiniClip.ConfigFileName), config.ToJson() + "\n");
            Console.WriteLine($"exported EMA weights → {Path.Combine(folder, MiniClip.WeightsFileName)} (F16) + {MiniClip.ConfigFileName}");
        }
        return 0;
    }

    private static int EvaluateExported(string folder, Settings s)
    {
        MiniClip model = MiniClip.Load(folder);
        ManifestRow[] heldOut = Manifest.Read(s.Manifest).Where(r => r.IsTrainable && r.Split == HeldOutSplit.HeldOut).ToArray();
        DecodedImageSet images = DecodedImageSet.Load(heldOut.Select(r => Path.Combine(s.Data, r.OutputPath)).ToArray(), 64);
        IReadOnlyDictionary<string, double> results;
        using (Autograd.NoGrad())
            results = Evaluate(model, heldOut, images, s.Batch);
        Console.WriteLine($"{Path.Combine(folder, MiniClip.WeightsFileName)} on {heldOut.Length} held-out pairs: "
            + string.Join(", ", results.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key} {e.Value:G4}"))));
        return 0;
    }

    private static float DiagonalAccuracy(Tensor logits)
    {
        int b = logits.Shape[0];
        float[] values = logits.ToFloatArray();
        int correct = 0;
        for (int i = 0; i < b; i++)
        {
            float target = values[i * b + i];
            bool best = true;
            for (int j = 0; j < b && best; j++)
                if (values[i * b + j] > target) best = false;
            if (best) correct++;
        }
        return (float)correct / b;
    }

    /// <summary>
    /// Held-out retrieval and the contrastive loss over held-out batches (no augmentation). The pairs are taken in a
    /// fixed shuffled order (seed 0) so the loss batches mix concepts as training batches do (manifest order would put
    /// the styles and skin tones of one concept side by side).
    /// </summary>
    internal static IReadOnlyDictionary<string, double> Evaluate(MiniClip model, IReadOnlyList<ManifestRow> rows, DecodedImageSet images, int batchSize)
    {
        var imageChunks = new List<Tensor>();
        var textChunks = new List<Tensor>();
        double lossSum = 0;
        int lossBatches = 0;
        int[] order = new TorchGenerator(0).Randperm(rows.Count).Select(i => (int)i).ToArray();
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, rows.Count - start);
            int[] indices = order[start..(start + count)];
            Tensor imageEmbeddings = model.ImageEmbeddings(images.Batch(indices)).Contiguous();
            var (textEmbeddings, _) = model.TextEmbeddings(model.Tokenize(indices.Select(i => rows[i].Caption).ToArray()));
            textEmbeddings = textEmbeddings.Contiguous();
            if (count == batchSize)
            {
                lossSum += MiniClip.ContrastiveLoss(imageEmbeddings, textEmbeddings, model.Temperature()).Loss.Item();
                lossBatches++;
            }
            imageChunks.Add(imageEmbeddings);
            textChunks.Add(textEmbeddings);
        }
        var retrieval = MiniClipRetrieval.Measure(Ops.Concat(imageChunks, 0), Ops.Concat(textChunks, 0), order.Select(i => rows[i].Caption).ToArray());
        var results = new Dictionary<string, double>
        {
            ["heldout_top1_of_10"] = retrieval.Top1Among10,
            [$"heldout_top1_of_{retrieval.Count}"] = retrieval.Top1,
            [$"heldout_top5_of_{retrieval.Count}"] = retrieval.Top5,
        };
        if (lossBatches > 0) results["heldout_loss"] = lossSum / lossBatches;
        return results;
    }
}
