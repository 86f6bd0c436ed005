namespace Atelier.Formats.Images;

/// <summary>The IHDR colour type (PNG specification, third edition, §11.2.1, Table 8).</summary>
public enum PngColorType : byte
{
    Gray = 0,
    Rgb = 2,
    Palette = 3,
    GrayAlpha = 4,
    Rgba = 6,
}
