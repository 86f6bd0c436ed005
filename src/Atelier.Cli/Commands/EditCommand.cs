using System.CommandLine;
using Atelier.Diffusion.Pipelines;

namespace Atelier.Cli.Commands;

/// <summary>
/// <c>atelier edit IMAGE --mask MASK "prompt"</c>: repaints the white part of the mask following the prompt and keeps
/// the rest of the image. With the default model (atelier-mini) the known region is re-noised at every decoder step;
/// with a Stable Diffusion <c>--model</c> it is the inpainting pipeline (9-channel UNet or blending).
/// </summary>
internal static class EditCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "The PNG to edit." };
        var prompt = new Argument<string>("prompt") { Description = "What to paint in the masked region." };
        var mask = new Option<string>("--mask") { Description = "Mask PNG: white = repaint, black = keep.", Required = true };
        var model = new Option<string?>("--model", "-m") { Description = "A Stable Diffusion folder or .safetensors file (default: Atelier's own model)." };
        var negative = new Option<string>("--negative-prompt", "--negative") { Description = "What to steer away from (Stable Diffusion).", DefaultValueFactory = _ => "" };
        var steps = new Option<int?>("--steps") { Description = "Denoising steps (default: the model's)." };
        var guidance = new Option<double?>("--guidance", "--cfg") { Description = "Classifier-free guidance scale (default: the model's)." };
        var seed = new Option<ulong?>("--seed") { Description = "Seed; the same seed and options give the same image (default: random, printed)." };
        var sampler = new Option<string?>("--sampler", "--scheduler") { Description = "Sampler (default: the model's own)." };
        var strength = new Option<double?>("--strength") { Description = "Stable Diffusion only: how far the masked region is re-noised, 0..1 (default 1)." };
        var count = new Option<int>("-n", "--batch") { Description = "Images to make.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--output", "-o") { Description = "Output PNG (several add -1, -2, …; default atelier-<seed>.png)." };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder, needed with a single-file checkpoint." };
        var command = new Command("edit", "Repaint the masked region of an image following a prompt.")
        {
            image, prompt, mask, model, negative, steps, guidance, seed, sampler, strength, count, output, tokenizer,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(GenerateCommand.Invoke("edit", () =>
            new GenerateCommand.Options(
                parse.GetValue(prompt)!, parse.GetValue(model), parse.GetValue(negative) ?? "", parse.GetValue(steps),
                parse.GetValue(guidance), parse.GetValue(seed), parse.GetValue(sampler), null, null, parse.GetValue(strength),
                parse.GetValue(image), parse.GetValue(mask), parse.GetValue(count), parse.GetValue(output), 0,
                new StableDiffusionLoadOptions { TokenizerFolder = parse.GetValue(tokenizer) }, Verb: "edit"),
            cancellationToken)));
        return command;
    }
}
