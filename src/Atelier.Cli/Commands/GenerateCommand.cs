using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Atelier.Cli.Progress;
using Atelier.Diffusion.Generation;
using Atelier.Diffusion.Pipelines;
using Atelier.Diffusion.Schedulers;
using Atelier.Formats.Checkpoints;
using Atelier.Formats.Images;
using Atelier.Nn;
using Atelier.Tensors;
using Spectre.Console;

namespace Atelier.Cli.Commands;

/// <summary>
/// <c>atelier generate "prompt" [--model DIR|FILE] …</c>: text-to-image, image-to-image (<c>--image</c>) or inpainting
/// (<c>--image --mask</c>) with a progress bar; writes PNGs whose metadata records the parameters
/// (<see cref="GenerationMetadata"/>). Bad options and files end with a one-line error and exit code 1.
/// </summary>
internal static class GenerateCommand
{
    /// <summary>Exit code of every refused request.</summary>
    public const int ErrorExitCode = 1;

    /// <summary>Exit code after Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int CancelledExitCode = 130;

    public static Command Create()
    {
        var prompt = new Argument<string>("prompt") { Description = "What to draw." };
        var model = new Option<string?>("--model", "-m")
        {
            Description = "A Stable Diffusion diffusers folder or single-file .safetensors checkpoint (default: Atelier's own model).",
        };
        var negative = new Option<string>("--negative-prompt", "--negative") { Description = "What to steer away from.", DefaultValueFactory = _ => "" };
        var steps = new Option<int?>("--steps") { Description = $"Denoising steps (default {StableDiffusionGenerator.DefaultSteps})." };
        var guidance = new Option<double?>("--guidance", "--cfg") { Description = $"Classifier-free guidance scale (default {StableDiffusionGenerator.DefaultGuidanceScale.ToString(CultureInfo.InvariantCulture)}; 1 = none)." };
        var seed = new Option<ulong?>("--seed") { Description = "Seed; the same seed and options give the same image (default: random, printed)." };
        var scheduler = new Option<string?>("--scheduler", "--sampler") { Description = $"Sampler: {string.Join(", ", SchedulerRegistry.Names)} (default: the model's own)." };
        var width = new Option<int?>("--width") { Description = "Width in pixels, a multiple of 8 (default: the model's size, or the init image's)." };
        var height = new Option<int?>("--height") { Description = "Height in pixels, a multiple of 8." };
        var size = new Option<string?>("--size") { Description = "WxH, e.g. 512x512 (instead of --width/--height)." };
        var strength = new Option<double?>("--strength") { Description = "How far the init image is re-noised, 0..1 (default 0.8 with --image, 1 with --mask)." };
        var image = new Option<string?>("--image") { Description = "Init image (PNG) for image-to-image or inpainting." };
        var mask = new Option<string?>("--mask") { Description = "Inpainting mask (PNG; white = repaint), with --image." };
        var count = new Option<int>("-n", "--batch") { Description = "Images to make in one batch.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--output", "-o") { Description = "Output PNG (a batch adds -1, -2, …; default atelier-<seed>.png)." };
        var clipSkip = new Option<int>("--clip-skip") { Description = "Final text-encoder layers to skip (A1111's \"Clip skip 2\" is 1).", DefaultValueFactory = _ => 0 };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder (vocab.json + merges.txt), needed with a single-file checkpoint." };
        var variant = new Option<string?>("--variant") { Description = "Diffusers weight variant to load, e.g. fp16." };
        var imageSize = new Option<int?>("--model-image-size") { Description = "Single file: the size the model was trained at (default from its family)." };
        var textHeads = new Option<int?>("--text-heads") { Description = "Single file: text-encoder attention heads (default width / 64)." };

        var command = new Command("generate", "Generate images from a prompt (and optionally an init image and mask).")
        {
            prompt, model, negative, steps, guidance, seed, scheduler, width, height, size, strength, image, mask, count, output,
            clipSkip, tokenizer, variant, imageSize, textHeads,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            try
            {
                var (w, h) = Size(parse.GetValue(size), parse.GetValue(width), parse.GetValue(height));
                var options = new Options(
                    parse.GetValue(prompt)!, parse.GetValue(model), parse.GetValue(negative) ?? "", parse.GetValue(steps),
                    parse.GetValue(guidance), parse.GetValue(seed), parse.GetValue(scheduler), w, h, parse.GetValue(strength),
                    parse.GetValue(image), parse.GetValue(mask), parse.GetValue(count), parse.GetValue(output), parse.GetValue(clipSkip),
                    new StableDiffusionLoadOptions
                    {
                        TokenizerFolder = parse.GetValue(tokenizer),
                        Checkpoint = new CheckpointOptions
                        {
                            Variant = parse.GetValue(variant), ImageSize = parse.GetValue(imageSize), TextAttentionHeads = parse.GetValue(textHeads),
                        },
                    });
                return Task.FromResult(Run(options, cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Console.Error.WriteLine("generate: cancelled; no image written.");
                return Task.FromResult(CancelledExitCode);
            }
            catch (Exception e) when (IsUserError(e))
            {
                Console.Error.WriteLine($"generate: {e.Message}");
                if (e is CheckpointFormatException)
                    Console.Error.WriteLine("generate: single-file checkpoints take --tokenizer, --model-image-size and --text-heads for what their shapes cannot tell.");
                return Task.FromResult(ErrorExitCode);
            }
        });
        return command;
    }

    /// <summary>The parsed command line.</summary>
    internal sealed record Options(
        string Prompt, string? Model, string NegativePrompt, int? Steps, double? Guidance, ulong? Seed, string? Scheduler,
        int? Width, int? Height, double? Strength, string? Image, string? Mask, int Count, string? Output, int ClipSkip,
        StableDiffusionLoadOptions Load);

    private static int Run(Options o, CancellationToken cancellationToken)
    {
        // 1. Check what can be checked before loading a model (loading Stable Diffusion takes a while)
        Check(o);

        // 2. Load the model and the input images
        var clock = Stopwatch.StartNew();
        IImageGenerator generator = GeneratorSelection.Open(o.Model, o.Load);
        Image? init = o.Image is null ? null : ReadPng(o.Image, "--image");
        Image? mask = o.Mask is null ? null : ReadPng(o.Mask, "--mask");
        double loadSeconds = clock.Elapsed.TotalSeconds;

        // 3. Generate
        ulong seed = o.Seed ?? (ulong)Random.Shared.NextInt64(0, 1L << 32);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model {generator.ModelName} (loaded in {loadSeconds:F1} s), seed {seed}"));
        var request = new GenerationRequest
        {
            Prompt = o.Prompt, NegativePrompt = o.NegativePrompt, Seed = seed, Count = o.Count, Steps = o.Steps,
            GuidanceScale = o.Guidance, Sampler = o.Scheduler, Width = o.Width, Height = o.Height, ClipSkip = o.ClipSkip,
            InitImage = init, Mask = mask, Strength = o.Strength,
        };
        clock.Restart();
        using var scope = TensorScope.Begin();
        double rate = 0;
        var images = ConsoleGenerationProgress.Run(progress =>
        {
            var result = generator.Generate(request, progress, cancellationToken);
            rate = progress.IterationsPerSecond;
            return result;
        });
        double seconds = clock.Elapsed.TotalSeconds;

        // 4. Write the PNGs with their parameters
        string output = o.Output ?? $"atelier-{seed}.png";
        for (int i = 0; i < images.Count; i++)
        {
            string path = images.Count == 1 ? output : NumberedPath(output, i + 1);
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null)
                Directory.CreateDirectory(folder);
            File.WriteAllBytes(path, GenerationMetadata.EncodePng(images[i]));
            Console.WriteLine($"wrote {path} ({images[i].Image.Width}x{images[i].Image.Height})");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{images.Count} image(s) in {seconds:F1} s ({rate:F2} it/s), seed {seed}"));
        return 0;
    }

    private static void Check(Options o)
    {
        if (string.IsNullOrWhiteSpace(o.Prompt))
            throw new ArgumentException("the prompt is empty: give the text to draw, e.g. atelier generate \"a lighthouse at dusk\".");
        if (o.Model is not null && o.Scheduler is not null && !SchedulerRegistry.Names.Contains(o.Scheduler))
            throw new ArgumentException($"unknown sampler '{o.Scheduler}'; valid samplers: {string.Join(", ", SchedulerRegistry.Names)}.");
        if (o.Width is int w && (w <= 0 || w % 8 != 0))
            throw new ArgumentException($"width {w} is not a positive multiple of 8 (the VAE maps 8x8 pixels to one latent); try {Nearest8(w)}.");
        if (o.Height is int h && (h <= 0 || h % 8 != 0))
            throw new ArgumentException($"height {h} is not a positive multiple of 8 (the VAE maps 8x8 pixels to one latent); try {Nearest8(h)}.");
        if (o.Steps is < 1)
            throw new ArgumentException($"--steps {o.Steps} must be at least 1.");
        if (o.Count < 1)
            throw new ArgumentException($"-n {o.Count} must be at least 1.");
        if (o.Guidance is double g && !(double.IsFinite(g) && g >= 0))
            throw new ArgumentException($"--guidance {g.ToString(CultureInfo.InvariantCulture)} must be a number ≥ 0 (1 = no guidance; 7.5 is usual).");
        if (o.Strength is double s && !(s >= 0 && s <= 1))
            throw new ArgumentException($"--strength {s.ToString(CultureInfo.InvariantCulture)} must be in [0, 1].");
        if (o.Strength is not null && o.Image is null)
            throw new ArgumentException("--strength applies to an init image: add --image (and --mask to inpaint).");
        if (o.Mask is not null && o.Image is null)
            throw new ArgumentException("--mask needs --image: inpainting repaints the white part of the mask in the init image.");
        if (o.ClipSkip < 0)
            throw new ArgumentException($"--clip-skip {o.ClipSkip} must be ≥ 0.");
    }

    /// <summary>--size WxH, or --width and --height; not both.</summary>
    private static (int? Width, int? Height) Size(string? size, int? width, int? height)
    {
        if (size is null)
            return (width, height);
        if (width is not null || height is not null)
            throw new ArgumentException("give either --size WxH or --width/--height, not both.");
        string[] parts = size.Split('x', 'X');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h))
            return (w, h);
        throw new ArgumentException($"--size '{size}' is not WxH (e.g. 512x512).");
    }

    private static Image ReadPng(string path, string option)
    {
        if (!File.Exists(path))
            throw new ArgumentException($"{option} {path}: no such file.");
        return PngDecoder.DecodeFile(path).Image;
    }

    private static string NumberedPath(string path, int number)
    {
        string extension = Path.GetExtension(path);
        string stem = extension.Length > 0 ? path[..^extension.Length] : path;
        return $"{stem}-{number}{(extension.Length > 0 ? extension : ".png")}";
    }

    private static int Nearest8(int value) => Math.Max(8, (int)Math.Round(value / 8.0, MidpointRounding.AwayFromZero) * 8);

    /// <summary>Errors caused by the options, files or model given: shown as one line, without a stack trace.</summary>
    private static bool IsUserError(Exception e) => e is ArgumentException or IOException or InvalidDataException
        or FormatException or WeightLoadException or ModelFitException or GenerationTooLargeException or NotSupportedException
        or UnauthorizedAccessException or InvalidOperationException;
}
