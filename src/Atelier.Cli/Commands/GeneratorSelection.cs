using Atelier.Diffusion.Generation;
using Atelier.Diffusion.Pipelines;

namespace Atelier.Cli.Commands;

/// <summary>
/// Which <see cref="IImageGenerator"/> a command runs: the Stable Diffusion checkpoint named by <c>--model</c>, or,
/// without <c>--model</c>, Atelier's default model (atelier-mini). This is the one place to change when the default
/// model lands.
/// </summary>
internal static class GeneratorSelection
{
    /// <summary>The name of the default model.</summary>
    public const string DefaultModelName = "atelier-mini";

    /// <summary>Opens the generator; throws <see cref="ArgumentException"/> (shown to the user) when it cannot.</summary>
    public static IImageGenerator Open(string? modelPath, StableDiffusionLoadOptions options)
    {
        if (modelPath is null)
        {
            throw new ArgumentException(
                $"no --model given, and the default model ({DefaultModelName}) is not part of this build yet. " +
                "Pass a Stable Diffusion model: --model path/to/diffusers-folder (with model_index.json), or " +
                "--model path/to/model.safetensors --tokenizer path/to/diffusers-folder/tokenizer.");
        }
        if (!File.Exists(modelPath) && !Directory.Exists(modelPath))
            throw new ArgumentException($"--model {modelPath}: no such file or folder (expected a diffusers folder or a .safetensors checkpoint).");
        return StableDiffusionGenerator.Load(modelPath, options);
    }
}
