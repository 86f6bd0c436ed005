namespace Atelier.Diffusion.Generation;

/// <summary>
/// The one seam between the front ends (<c>atelier generate</c>, later the server) and a model family: a Stable
/// Diffusion checkpoint (<see cref="StableDiffusionGenerator"/>) or Atelier's own default model. A front end builds a
/// <see cref="GenerationRequest"/>, calls <see cref="Generate"/> and writes each image with
/// <see cref="GenerationMetadata"/>.
/// </summary>
public interface IImageGenerator
{
    /// <summary>The model's name as written into the parameters ("Model: …").</summary>
    string ModelName { get; }

    /// <summary>The short model hash ("Model hash: …"), or null when the model has none.</summary>
    string? ModelHash { get; }

    /// <summary>
    /// Runs one request. Throws <see cref="ArgumentException"/> for arguments the model cannot take (with a message
    /// that says what to change) and <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    IReadOnlyList<GeneratedImage> Generate(GenerationRequest request, IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellationToken = default);
}
