using Atelier.Formats.Checkpoints;

namespace Atelier.Models.Vae;

/// <summary>
/// The AutoencoderKL shapes Stable Diffusion uses, as <see cref="AutoencoderKLConfig"/> values (the record that reads
/// <c>vae/config.json</c> lives in Atelier.Formats; single files get theirs inferred from tensor shapes).
/// </summary>
public static class AutoencoderKLPresets
{
    /// <summary>
    /// SD 1.x / 2.x (the KL-f8 autoencoder of Rombach et al. 2022): 128/256/512/512 channels, 2 ResNets per level,
    /// 4 latent channels, 8x spatial factor, scaling factor 0.18215, as <c>runwayml/stable-diffusion-v1-5/vae/config.json</c>.
    /// </summary>
    public static AutoencoderKLConfig Sd { get; } = new()
    {
        InChannels = 3,
        OutChannels = 3,
        DownBlockTypes = new[] { "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D" },
        UpBlockTypes = new[] { "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D" },
        BlockOutChannels = new[] { 128, 256, 512, 512 },
        LayersPerBlock = 2,
        LatentChannels = 4,
        NormNumGroups = 32,
        SampleSize = 512,
        ScalingFactor = 0.18215,
    };

    /// <summary>The test fixture's autoencoder (<c>reference/tiny-sd/vae</c>): 32/64 channels, 2x spatial factor, 64-pixel samples.</summary>
    public static AutoencoderKLConfig Tiny { get; } = new()
    {
        InChannels = 3,
        OutChannels = 3,
        DownBlockTypes = new[] { "DownEncoderBlock2D", "DownEncoderBlock2D" },
        UpBlockTypes = new[] { "UpDecoderBlock2D", "UpDecoderBlock2D" },
        BlockOutChannels = new[] { 32, 64 },
        LayersPerBlock = 2,
        LatentChannels = 4,
        NormNumGroups = 32,
        SampleSize = 64,
        ScalingFactor = 0.18215,
    };
}
