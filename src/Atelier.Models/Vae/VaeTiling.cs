using Atelier.Formats.Checkpoints;

namespace Atelier.Models.Vae;

/// <summary>
/// How <see cref="AutoencoderKL"/> splits large images into overlapping tiles (diffusers <c>enable_tiling</c>): tiles of
/// <see cref="TileSampleSize"/> pixels (<c>tile_sample_min_size</c>, the config's sample_size) overlapping by
/// <see cref="OverlapFactor"/> (<c>tile_overlap_factor</c>), seams blended linearly. Tiling bounds the memory of a
/// decode by that of one tile, whatever the image size; the result is close to, not equal to, the full decode (each
/// tile's GroupNorm statistics and attention see only the tile).
/// </summary>
public sealed record VaeTiling
{
    /// <summary>Above this many pixels (768 × 768) Encode/Decode switch to tiles; up to it they run whole, exactly as the reference.</summary>
    public const long DefaultAutoAbovePixels = 768L * 768;

    /// <summary>Edge of a tile in pixels (diffusers: <c>config.sample_size</c>, 512 for SD 1.x).</summary>
    public required int TileSampleSize { get; init; }

    /// <summary>Fraction of a tile overlapping its neighbour (diffusers: 0.25).</summary>
    public double OverlapFactor { get; init; } = 0.25;

    /// <summary>
    /// Encode/Decode tile an image with more pixels than this that is also larger than one tile; smaller images are
    /// processed whole. <see cref="long.MaxValue"/> never tiles; 0 tiles whenever an image exceeds one tile (diffusers' rule once tiling is enabled).
    /// </summary>
    public long AutoAbovePixels { get; init; } = DefaultAutoAbovePixels;

    /// <summary>diffusers' tiling for <paramref name="config"/>: tiles of sample_size pixels, 25 % overlap.</summary>
    public static VaeTiling For(AutoencoderKLConfig config) => new() { TileSampleSize = config.SampleSize };

    /// <summary>Checks the values against the model's spatial factor <paramref name="factor"/>; throws naming the field.</summary>
    internal void Validate(int factor)
    {
        if (TileSampleSize < factor || TileSampleSize % factor != 0)
            throw new ArgumentException($"VaeTiling.TileSampleSize {TileSampleSize}: expected a positive multiple of the VAE's spatial factor {factor}.");
        if (!(OverlapFactor >= 0 && OverlapFactor < 1))
            throw new ArgumentException($"VaeTiling.OverlapFactor {OverlapFactor}: expected a value in [0, 1).");
        if ((int)(TileSampleSize / factor * (1 - OverlapFactor)) < 1)
            throw new ArgumentException($"VaeTiling: tiles of {TileSampleSize} pixels ({TileSampleSize / factor} latents) with overlap {OverlapFactor} leave no stride between tiles.");
        // Tiles must tile: each output tile is cropped to exactly the stride of the next one, or the result would
        // have gaps or doubled rows (diffusers does not check this; its default 0.25 satisfies it for SD sizes).
        int latentTile = TileSampleSize / factor;
        int decodeStride = (int)(latentTile * (1 - OverlapFactor)) * factor, decodeKeep = TileSampleSize - (int)(TileSampleSize * OverlapFactor);
        int encodeStride = (int)(TileSampleSize * (1 - OverlapFactor)), encodeKeep = (latentTile - (int)(latentTile * OverlapFactor)) * factor;
        if (TileSampleSize - encodeStride < factor)
            throw new ArgumentException($"VaeTiling.OverlapFactor {OverlapFactor}: tiles of {TileSampleSize} pixels would overlap by {TileSampleSize - encodeStride} pixels; at least one latent ({factor} pixels) is needed to blend the seams.");
        if (decodeStride != decodeKeep || encodeStride != encodeKeep)
            throw new ArgumentException(
                $"VaeTiling: tiles of {TileSampleSize} pixels with overlap {OverlapFactor} do not line up (decode: stride {decodeStride} px, kept {decodeKeep} px; " +
                $"encode: stride {encodeStride} px, kept {encodeKeep} px); choose a tile size and overlap for which they are equal (e.g. overlap 0.25 and a multiple of {4 * factor} pixels).");
        if (AutoAbovePixels < 0)
            throw new ArgumentException($"VaeTiling.AutoAbovePixels {AutoAbovePixels}: expected a non-negative pixel count.");
    }
}
