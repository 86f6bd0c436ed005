using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Atelier.Diffusion.Pipelines;
using Atelier.Diffusion.Schedulers;
using Atelier.Formats.Tokenizers;
using Atelier.Models.Clip;
using Atelier.Models.UNet;
using Atelier.Models.Vae;
using Atelier.Tensors;
using Atelier.Tensors.Kernels;

namespace Atelier.Bench.Suites;

/// <summary>
/// A whole text-to-image run through <see cref="TextToImagePipeline"/> with an SD 1.5-shaped model of random weights
/// (<c>--arch sd15</c>, 512x512; <c>--arch sd2</c>, 768x768; <c>--arch tiny</c>, the reference tiny model's shapes at
/// 64x64 for a smoke run): prompt encoding (prompt and empty negative), 2 DDIM steps with guidance (UNet batch 2;
/// 1 with <c>--quick</c>), and the VAE decode with 8-bit conversion. Each part is timed inside the run (pipeline
/// observer and step callback); the note extrapolates to 20 steps. The tokenizer is byte-level (no merges): it changes
/// the ids, not the work, as the text encoder always sees 77 positions.
/// </summary>
internal sealed class PipelineSuite : IBenchSuite
{
    public string Name => "pipeline";

    public string Description => "txt2img with a random-weight SD-shaped model: text encode, UNet steps (CFG), VAE decode, per part";

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        Parallelism.Threads = options.Threads;
        var (clipConfig, unetConfig, vaeConfig, size, label) = options.Arch switch
        {
            "sd15" => (ClipTextPresets.Sd15, UNet2DConditionPresets.Sd15, AutoencoderKLPresets.Sd, 512, "SD 1.5"),
            "sd2" => (ClipTextPresets.Sd2, UNet2DConditionPresets.Sd2, AutoencoderKLPresets.Sd, 768, "SD 2.1"),
            "tiny" => (ClipTextPresets.Tiny, UNet2DConditionPresets.Tiny, AutoencoderKLPresets.Tiny, 64, "tiny"),
            _ => throw new ArgumentException($"pipeline suite: unknown --arch '{options.Arch}' (sd15, sd2, tiny)."),
        };
        var build = Stopwatch.StartNew();
        var model = StableDiffusionModel.FromParts($"random {label}", ByteLevelTokenizer(),
            RandomModelWeights.Initialize(new ClipTextModel(clipConfig), seed: 1),
            UNet2DConditionModel.CreateRandom(unetConfig, seed: 2, DType.F32),
            RandomModelWeights.Initialize(new AutoencoderKL(vaeConfig), seed: 3),
            SchedulerRegistry.StableDiffusion15Config());
        double buildSeconds = build.Elapsed.TotalSeconds;

        int steps = options.Quick ? 1 : 2;
        var clock = new PartClock();
        var request = new TextToImageRequest
        {
            Prompts = ["a photo of an astronaut riding a horse on mars"], Steps = steps, Scheduler = "ddim", Seed = 1,
            Width = size, Height = size, Observer = clock, OnStep = _ => clock.Mark("step"),
        };
        using var scope = TensorScope.Begin();
        long before = TensorMemory.CurrentBytes;
        TensorMemory.ResetPeak();
        clock.Start();
        new TextToImagePipeline(model).Run(request);
        double total = clock.Elapsed;
        long peak = TensorMemory.PeakBytes - before;

        double text = clock.At("prompt") - clock.At("start");
        double denoise = clock.At("decode") - clock.At("init");
        double perStep = denoise / steps;
        double decode = total - clock.At("decode");
        string shape = $"{label} {size}x{size}";
        int latent = size / model.VaeScaleFactor;
        long estimate = Math.Max(MemoryEstimate.UNetBytes(unetConfig, 2, latent, latent), MemoryEstimate.VaeBytes(vaeConfig, model.Vae.Tiling, size, size));
        yield return new BenchRow("txt2img text encode", $"{shape} B=2 N=77", 0, text);
        yield return new BenchRow("txt2img unet step (CFG)", $"{shape} B=2", 0, perStep, $"{steps} DDIM steps");
        yield return new BenchRow("txt2img vae decode", shape, 0, decode, "decode + [0,1] + 8-bit");
        yield return new BenchRow($"txt2img total {steps} steps", shape, 0, total, string.Create(CultureInfo.InvariantCulture,
            $"20 steps ≈ {text + 20 * perStep + decode:F0} s; peak activations {peak / 1e9:F2} GB (MemoryEstimate {estimate / 1e9:F2} GB); random weights built in {buildSeconds:F0} s"));
    }

    /// <summary>A CLIP tokenizer over single bytes (GPT-2's byte-to-character table, no merges).</summary>
    private static ClipTokenizer ByteLevelTokenizer()
    {
        var characters = new List<char>();
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE;
            characters.Add(printable ? (char)b : (char)(256 + characters.Count(c => c >= 256)));
        }
        var vocab = new JsonObject();
        int id = 0;
        foreach (char c in characters)
            vocab[c.ToString()] = id++;
        foreach (char c in characters)
            vocab[c + "</w>"] = id++;
        vocab["<|startoftext|>"] = id++;
        vocab["<|endoftext|>"] = id;
        using var vocabStream = new MemoryStream(Encoding.UTF8.GetBytes(vocab.ToJsonString()));
        using var merges = new MemoryStream(Encoding.UTF8.GetBytes("#version: 0.2\n"));
        return ClipTokenizer.FromStreams(vocabStream, merges);
    }

    /// <summary>Times of the pipeline's stages, seconds from <see cref="Start"/>.</summary>
    private sealed class PartClock : IPipelineObserver
    {
        private readonly Stopwatch _watch = new();
        private readonly Dictionary<string, double> _marks = [];

        public double Elapsed => _watch.Elapsed.TotalSeconds;

        public void Start()
        {
            _watch.Restart();
            _marks["start"] = 0;
        }

        public void Mark(string name) => _marks[name] = Elapsed;

        public double At(string name) => _marks[name];

        public void PromptEmbeddings(Tensor embeddings) => Mark("prompt");

        public void InitialLatents(Tensor latents) => Mark("init");

        public void DecodeInput(Tensor latents) => Mark("decode");
    }
}
