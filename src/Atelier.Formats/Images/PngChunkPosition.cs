namespace Atelier.Formats.Images;

/// <summary>Where an ancillary chunk sits relative to the image data (the IDAT chunks).</summary>
public enum PngChunkPosition
{
    /// <summary>Between IHDR and the first IDAT (colour-space chunks such as iCCP must be here).</summary>
    BeforeImageData,

    /// <summary>Between the last IDAT and IEND (text written after the pixels, e.g. by some generators).</summary>
    AfterImageData,
}
