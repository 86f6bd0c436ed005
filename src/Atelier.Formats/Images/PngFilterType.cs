namespace Atelier.Formats.Images;

/// <summary>The five filter types of filter method 0 (PNG specification §9.2), stored as each scanline's first byte.</summary>
internal enum PngFilterType : byte
{
    None = 0,
    Sub = 1,
    Up = 2,
    Average = 3,
    Paeth = 4,
}
