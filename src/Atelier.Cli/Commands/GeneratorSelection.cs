using Atelier.Diffusion.Generation;
using Atelier.Diffusion.Pipelines;

namespace Atelier.Cli.Commands;

/// <summary>
/// Which <see cref="IImageGenerator"/> a command runs: the Stable Diffusion checkpoint named by <c>--model</c>, or,
/// without <c>--model</c>, Atelier's default model (atelier-mini), shipped in <c>models/atelier-mini</c> and copied next
/// to the program at build time.
/// </summary>
internal static class GeneratorSelection
{
    /// <summary>The name of the default model.</summary>
    public const string DefaultModelName = AtelierMiniGenerator.Name;

    /// <summary>Environment variable that points at another atelier-mini folder.</summary>
    public const string DefaultModelVariable = "ATELIER_MINI_MODEL";

    /// <summary>Opens the generator; throws <see cref="ArgumentException"/> (shown to the user) when it cannot.</summary>
    public static IImageGenerator Open(string? modelPath, StableDiffusionLoadOptions options)
    {
        if (modelPath is null)
            return AtelierMiniGenerator.Load(DefaultModelDirectory());
        if (!File.Exists(modelPath) && !Directory.Exists(modelPath))
            throw new ArgumentException($"--model {modelPath}: no such file or folder (expected a diffusers folder or a .safetensors checkpoint).");
        if (File.Exists(Path.Combine(modelPath, "decoder.json")) && File.Exists(Path.Combine(modelPath, "prior.json")))
            return AtelierMiniGenerator.Load(modelPath);
        return StableDiffusionGenerator.Load(modelPath, options);
    }

    /// <summary>
    /// The default model's folder: <c>$ATELIER_MINI_MODEL</c> if set, else <c>models/atelier-mini</c> beside the program
    /// (the build copies it there), else the first <c>models/atelier-mini</c> found walking up from the program's folder
    /// (a source checkout).
    /// </summary>
    public static string DefaultModelDirectory()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(DefaultModelVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (!Directory.Exists(fromEnvironment))
                throw new ArgumentException($"{DefaultModelVariable}={fromEnvironment}: no such folder (it should hold the atelier-mini model).");
            return fromEnvironment;
        }
        string relative = Path.Combine("models", "atelier-mini");
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string candidate = Path.Combine(folder.FullName, relative);
            if (File.Exists(Path.Combine(candidate, "decoder.safetensors")))
                return candidate;
        }
        throw new ArgumentException($"the default model ({DefaultModelName}) was not found beside the program or above it "
            + $"(looked for {relative}/decoder.safetensors from {AppContext.BaseDirectory}); set {DefaultModelVariable} to its folder, "
            + "or pass a Stable Diffusion model with --model.");
    }
}
