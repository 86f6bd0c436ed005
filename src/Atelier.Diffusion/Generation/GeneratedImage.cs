using Atelier.Formats.Images;

namespace Atelier.Diffusion.Generation;

/// <summary>One output image with the parameters that made it (what its PNG metadata records).</summary>
public sealed record GeneratedImage(Image Image, GenerationParameters Parameters);
