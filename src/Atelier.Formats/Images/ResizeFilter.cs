namespace Atelier.Formats.Images;

/// <summary>The interpolation of <see cref="ImageResize.Resize"/>.</summary>
public enum ResizeFilter
{
    /// <summary>Per axis: <see cref="Area"/> when shrinking, <see cref="Bicubic"/> when enlarging, a copy when equal.</summary>
    Auto,

    /// <summary>Box filter with exact fractional coverage: each output pixel averages the source area it covers. Alias-free for shrinking.</summary>
    Area,

    /// <summary>Triangle filter on pixel centres (two taps); interpolation only, it aliases when shrinking.</summary>
    Bilinear,

    /// <summary>Keys cubic convolution with a = −0.5 (four taps, as PIL's BICUBIC when enlarging); interpolation only, it aliases when shrinking.</summary>
    Bicubic,
}
