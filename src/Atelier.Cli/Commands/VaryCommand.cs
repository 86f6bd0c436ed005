using System.CommandLine;
using Atelier.Diffusion.Pipelines;

namespace Atelier.Cli.Commands;

/// <summary>
/// <c>atelier vary IMAGE</c>: new images like a given one. With the default model (atelier-mini) a variation keeps the
/// image's CLIP embedding and decodes it with new noise (unCLIP); with a Stable Diffusion <c>--model</c> it is
/// image-to-image with an empty prompt at <c>--strength</c>.
/// </summary>
internal static class VaryCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "The PNG to vary." };
        var model = new Option<string?>("--model", "-m") { Description = "A Stable Diffusion folder or .safetensors file (default: Atelier's own model)." };
        var steps = new Option<int?>("--steps") { Description = "Denoising steps (default: the model's)." };
        var guidance = new Option<double?>("--guidance", "--cfg") { Description = "Classifier-free guidance scale (default: the model's)." };
        var seed = new Option<ulong?>("--seed") { Description = "Seed; the same seed and options give the same image (default: random, printed)." };
        var sampler = new Option<string?>("--sampler", "--scheduler") { Description = "Sampler (default: the model's own)." };
        var strength = new Option<double?>("--strength") { Description = "Stable Diffusion only: how far the image is re-noised, 0..1 (default 0.8)." };
        var count = new Option<int>("-n", "--batch") { Description = "Variations to make.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--output", "-o") { Description = "Output PNG (several add -1, -2, …; default atelier-<seed>.png)." };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder, needed with a single-file checkpoint." };
        var command = new Command("vary", "Make variations of an image.")
        {
            image, model, steps, guidance, seed, sampler, strength, count, output, tokenizer,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(GenerateCommand.Invoke("vary", () =>
            new GenerateCommand.Options(
                "", parse.GetValue(model), "", parse.GetValue(steps), parse.GetValue(guidance), parse.GetValue(seed),
                parse.GetValue(sampler), null, null, parse.GetValue(strength), parse.GetValue(image), null, parse.GetValue(count),
                parse.GetValue(output), 0, new StableDiffusionLoadOptions { TokenizerFolder = parse.GetValue(tokenizer) }, Verb: "vary"),
            cancellationToken)));
        return command;
    }
}
