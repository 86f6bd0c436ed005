using Atelier.Formats.Checkpoints;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>
/// The VAE decoder (diffusers <c>Decoder</c>): conv_in → mid block → one <see cref="UpDecoderBlock2D"/> per level
/// with the channels reversed (SD: 512, 512, 256, 128) → GroupNorm → SiLU → conv_out to the image channels.
/// </summary>
public sealed class Decoder : Module
{
    public Decoder(AutoencoderKLConfig config)
    {
        var channels = config.BlockOutChannels;
        int groups = config.NormNumGroups, levels = channels.Count;
        int[] reversed = [.. channels.Reverse()];
        ConvIn = Add("conv_in", new Conv2d(config.LatentChannels, reversed[0], 3, padding: 1));
        MidBlock = Add("mid_block", new UNetMidBlock2D(reversed[0], groups, Encoder.NormEps, config.MidBlockAddAttention));
        UpBlocks = Add("up_blocks", new ModuleList<UpDecoderBlock2D>(Enumerable.Range(0, levels).Select(i =>
            new UpDecoderBlock2D(i == 0 ? reversed[0] : reversed[i - 1], reversed[i], config.LayersPerBlock + 1, groups, Encoder.NormEps, addUpsample: i < levels - 1))));
        ConvNormOut = Add("conv_norm_out", new GroupNorm(groups, channels[0], Encoder.NormEps));
        ConvOut = Add("conv_out", new Conv2d(channels[0], config.OutChannels, 3, padding: 1));
    }

    public Conv2d ConvIn { get; }
    public UNetMidBlock2D MidBlock { get; }
    public ModuleList<UpDecoderBlock2D> UpBlocks { get; }
    public GroupNorm ConvNormOut { get; }
    public Conv2d ConvOut { get; }

    // z [B, L, h, w] -> image [B, 3, h·f, w·f]
    public Tensor Forward(Tensor z) => Scoped.Run(() =>
    {
        Tensor h = ConvIn.Forward(z);                                               // [B, Clast, h, w]
        h = MidBlock.Forward(h);                                                    // [B, Clast, h, w]
        foreach (var block in UpBlocks)
            h = block.Forward(h);                                                   // [B, Ci, h·2^i, w·2^i]
        return Scoped.Run(() => ConvOut.Forward(ConvNormOut.Forward(h).Silu()));    // [B, 3, h·f, w·f]
    });
}
