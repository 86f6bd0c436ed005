namespace Atelier.Formats.Images;

/// <summary>The float range that 8-bit samples 0–255 map to when an image becomes a tensor.</summary>
public enum SampleRange
{
    /// <summary>v / 255: what CLIP image encoders expect before their own normalisation.</summary>
    ZeroToOne,

    /// <summary>2 · (v / 255) − 1: what the VAE encoder expects (diffusers VaeImageProcessor.normalize).</summary>
    MinusOneToOne,
}
