namespace Atelier.Diffusion.Generation;

/// <summary>What a <see cref="GenerationRequest"/> asks for, decided by which images it carries.</summary>
public enum GenerationMode
{
    /// <summary>From the prompt alone.</summary>
    TextToImage,

    /// <summary>From an init image, re-noised to <see cref="GenerationRequest.Strength"/>.</summary>
    ImageToImage,

    /// <summary>Repaint the white part of a mask.</summary>
    Inpaint,
}
