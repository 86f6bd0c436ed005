using Atelier.Formats.Checkpoints;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>
/// The VAE encoder (diffusers <c>Encoder</c>, double_z): conv_in → one <see cref="DownEncoderBlock2D"/> per level →
/// mid block → GroupNorm → SiLU → conv_out to 2 × latent_channels (mean and log-variance).
/// </summary>
public sealed class Encoder : Module
{
    /// <summary>diffusers' Encoder/Decoder build every GroupNorm with eps 1e-6 whatever the config says (gotcha G10).</summary>
    internal const float NormEps = 1e-6f;

    public Encoder(AutoencoderKLConfig config)
    {
        var channels = config.BlockOutChannels;
        int groups = config.NormNumGroups, levels = channels.Count;
        ConvIn = Add("conv_in", new Conv2d(config.InChannels, channels[0], 3, padding: 1));
        DownBlocks = Add("down_blocks", new ModuleList<DownEncoderBlock2D>(Enumerable.Range(0, levels).Select(i =>
            new DownEncoderBlock2D(i == 0 ? channels[0] : channels[i - 1], channels[i], config.LayersPerBlock, groups, NormEps, addDownsample: i < levels - 1))));
        MidBlock = Add("mid_block", new UNetMidBlock2D(channels[^1], groups, NormEps, config.MidBlockAddAttention));
        ConvNormOut = Add("conv_norm_out", new GroupNorm(groups, channels[^1], NormEps));
        ConvOut = Add("conv_out", new Conv2d(channels[^1], 2 * config.LatentChannels, 3, padding: 1));
    }

    public Conv2d ConvIn { get; }
    public ModuleList<DownEncoderBlock2D> DownBlocks { get; }
    public UNetMidBlock2D MidBlock { get; }
    public GroupNorm ConvNormOut { get; }
    public Conv2d ConvOut { get; }

    // image [B, 3, H, W] -> moments [B, 2L, H/f, W/f]
    public Tensor Forward(Tensor image) => Scoped.Run(() =>
    {
        Tensor h = ConvIn.Forward(image);                                           // [B, C0, H, W]
        foreach (var block in DownBlocks)
            h = block.Forward(h);                                                   // [B, Ci, H/2^i, W/2^i]
        h = MidBlock.Forward(h);                                                    // [B, Clast, H/f, W/f]
        return Scoped.Run(() => ConvOut.Forward(ConvNormOut.Forward(h).Silu()));    // [B, 2L, H/f, W/f]
    });
}
