namespace Atelier.Formats.Images;

/// <summary>How the encoder picks each scanline's filter type (PNG specification §12.8).</summary>
public enum PngFilterStrategy
{
    /// <summary>Every row unfiltered.</summary>
    None,

    /// <summary>Every row Sub.</summary>
    Sub,

    /// <summary>Every row Up.</summary>
    Up,

    /// <summary>Every row Average.</summary>
    Average,

    /// <summary>Every row Paeth.</summary>
    Paeth,

    /// <summary>Per row, Sub or Up, whichever has the smaller sum of absolute signed bytes (cheap: two candidates).</summary>
    SubOrUp,

    /// <summary>Per row, the filter type of the five with the smallest sum of absolute signed bytes (libpng's heuristic).</summary>
    Adaptive,
}
