using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// atelier-mini's 32→64 upsampler: a regression CNN whose layers all run at the low resolution and whose last
/// convolution emits factor² sub-pixels per pixel, rearranged by a pixel shuffle (ESPCN, Shi et al. 2016), added to
/// the nearest-neighbour enlargement of the input; trained with an L1 loss on real images downsampled and corrupted
/// (blur, noise) as unCLIP corrupts its upsamplers' conditioning (Ramesh et al. 2022 §2.1, "gaussian blur").
/// What differs from unCLIP: unCLIP's upsamplers are diffusion models (ADMNets, 27 steps); a one-pass regression
/// costs one decoder step and, on flat clip-art, leaves little to sample — see the model card for the measured
/// choice. conv_out starts at zero: a fresh upsampler is nearest-neighbour enlargement.
/// </summary>
/// <remarks>Legend: B batch, C = 3, S input side, F factor, W width.</remarks>
public sealed class MiniUpsampler : Module
{
    public MiniUpsampler(MiniUpsamplerConfig config)
    {
        Config = config.Validate();
        ConvIn = Add("conv_in", new Conv2d(config.Channels, config.Width, 3, padding: 1));
        Blocks = Add("blocks", new ModuleList<MiniUpsamplerBlock>(Enumerable.Range(0, config.Blocks).Select(_ => new MiniUpsamplerBlock(config.Width, config.NormGroups))));
        NormOut = Add("norm_out", new GroupNorm(config.NormGroups, config.Width));
        ConvOut = Add("conv_out", new Conv2d(config.Width, config.Channels * config.Factor * config.Factor, 3, padding: 1));
    }

    public MiniUpsamplerConfig Config { get; }
    public Conv2d ConvIn { get; }
    public ModuleList<MiniUpsamplerBlock> Blocks { get; }
    public GroupNorm NormOut { get; }
    public Conv2d ConvOut { get; }

    /// <summary>
    /// Fresh training weights: PyTorch's default initialisation of every layer (<see cref="Init.Default"/>), then the
    /// last layer of every residual branch and the output layer set to zero (GLIDE <c>zero_module</c>), so every residual
    /// block starts as the identity. Call outside any <see cref="TensorScope"/>.
    /// </summary>
    public void InitializeWeights(TorchGenerator generator)
    {
        Init.Default(this, generator);
        foreach (var parameter in ZeroInitialized)
            Init.Constant(parameter, 0f);
    }

    public IEnumerable<Parameter> ZeroInitialized => Blocks.SelectMany(b => b.ZeroInitialized).Concat([ConvOut.Weight, ConvOut.Bias!]);

    /// <summary>The enlarged image [B, C, S·F, S·F] in [-1, 1] scale (not clamped) from <paramref name="lowRes"/> [B, C, S, S].</summary>
    public Tensor Forward(Tensor lowRes)
    {
        int s = Config.InputSize, c = Config.Channels, f = Config.Factor;
        if (lowRes.Rank != 4 || lowRes.Shape[1] != c || lowRes.Shape[2] != s || lowRes.Shape[3] != s)
            throw new TensorShapeException("mini upsampler", $"input {lowRes.Shape}", $"[B, {c}, {s}, {s}]");
        int b = lowRes.Shape[0];
        Tensor h = ConvIn.Forward(lowRes);                                          // [B, W, S, S]
        foreach (var block in Blocks)
            h = block.Forward(h);                                                   // [B, W, S, S]
        h = ConvOut.Forward(NormOut.Forward(h).Silu());                             // [B, C·F·F, S, S]
        Tensor residual = PixelShuffle(h, c, f);                                    // [B, C, S·F, S·F]
        return lowRes.UpsampleNearest(f).Add(residual);
    }

    /// <summary>
    /// [B, C·F·F, S, S] → [B, C, S·F, S·F] with channel c·F² + i·F + j going to sub-pixel (i, j)
    /// (torch.nn.functional.pixel_shuffle).
    /// </summary>
    public static Tensor PixelShuffle(Tensor x, int channels, int factor)
    {
        int b = x.Shape[0], s = x.Shape[2], w = x.Shape[3];
        return x.Reshape(b, channels, factor, factor, s, w)                        // [B, C, F, F, S, S]
            .Permute(0, 1, 4, 2, 5, 3)                                              // [B, C, S, F, S, F]
            .Reshape(b, channels, s * factor, w * factor);                          // [B, C, S·F, S·F]
    }

    /// <summary>Multiply-adds × 2 of one forward pass for one image.</summary>
    public long ForwardFlopsPerSample()
    {
        long px = (long)Config.InputSize * Config.InputSize, w = Config.Width, c = Config.Channels, f = Config.Factor;
        return 2 * px * 9 * (c * w + Config.Blocks * 2 * w * w + w * c * f * f);
    }
}
