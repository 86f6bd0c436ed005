namespace Atelier.Diffusion.Pipelines;

/// <summary>
/// The parts of a Stable Diffusion model do not fit together (a UNet trained for another text encoder or VAE). The
/// message names every mismatch, both sides of it (with the file each value came from) and what to change.
/// </summary>
public sealed class ModelFitException : Exception
{
    public ModelFitException(string model, IReadOnlyList<string> problems)
        : base($"{model}: the model's parts do not fit together:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}")
    {
        Model = model;
        Problems = problems;
    }

    /// <summary>The model folder or file.</summary>
    public string Model { get; }

    /// <summary>One line per mismatch.</summary>
    public IReadOnlyList<string> Problems { get; }
}
