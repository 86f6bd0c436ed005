using Atelier.Formats.Checkpoints;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Vae;

// The KL-regularised autoencoder of latent diffusion: Rombach et al. 2022, "High-Resolution Image Synthesis with
// Latent Diffusion Models" (Sec. 3.1, Appendix G). Reference implementation: diffusers 0.30 AutoencoderKL
// (autoencoder_kl.py, vae.py, resnet.py, attention_processor.py), whose state-dict names the children carry.
// Differences: Encode/Decode switch to tiles by themselves above VaeTiling.AutoAbovePixels (diffusers tiles only
// after enable_tiling()), and the tile loop skips diffusers' redundant edge tiles (see TiledRunner).
// Shapes: B batch, H×W image, h×w latent = H/f × W/f (f = 2^(levels-1), 8 for SD), L latent channels.

/// <summary>
/// Stable Diffusion's VAE: <see cref="Encode"/> maps an image in [-1, 1] to the posterior over latents,
/// <see cref="Decode"/> maps latents back to an image. Neither applies the scaling factor: pipelines multiply
/// samples by <see cref="ScalingFactor"/> before the UNet and divide by it before decoding (gotcha G21).
/// </summary>
public sealed class AutoencoderKL : Module
{
    private VaeTiling _tiling;

    public AutoencoderKL(AutoencoderKLConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Validate(config);
        Config = config;
        Encoder = Add("encoder", new Encoder(config));
        Decoder = Add("decoder", new Decoder(config));
        if (config.UseQuantConv)
            QuantConv = Add("quant_conv", new Conv2d(2 * config.LatentChannels, 2 * config.LatentChannels, 1));
        if (config.UsePostQuantConv)
            PostQuantConv = Add("post_quant_conv", new Conv2d(config.LatentChannels, config.LatentChannels, 1));
        _tiling = VaeTiling.For(config);
        _tiling.Validate(SpatialFactor);
    }

    public AutoencoderKLConfig Config { get; }
    public Encoder Encoder { get; }
    public Decoder Decoder { get; }
    public Conv2d? QuantConv { get; }
    public Conv2d? PostQuantConv { get; }

    /// <summary>Pixels per latent along each axis: 2^(levels - 1).</summary>
    public int SpatialFactor => Config.SpatialScaleFactor;

    /// <summary>Latents for the UNet = ScalingFactor × VAE sample (0.18215 for SD 1.x/2.x).</summary>
    public double ScalingFactor => Config.ScalingFactor;

    /// <summary>Tile size, overlap and the size above which Encode/Decode tile. Default: <see cref="VaeTiling.For"/>.</summary>
    public VaeTiling Tiling
    {
        get => _tiling;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate(SpatialFactor);
            _tiling = value;
        }
    }

    /// <summary>Builds the model a VAE component describes and loads its weights strictly; fp16 weights stay fp16.</summary>
    public static AutoencoderKL Load(ModelComponent<AutoencoderKLConfig> component)
    {
        ArgumentNullException.ThrowIfNull(component);
        var model = new AutoencoderKL(component.Config);
        model.LoadWeights(component.Weights.ToTensors(), component.Weights.Description);
        return model;
    }

    /// <summary>The VAE of an opened checkpoint (diffusers folder or single file).</summary>
    public static AutoencoderKL Load(CheckpointSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Load(source.Vae ?? throw new InvalidOperationException($"{source.Path}: the checkpoint has no VAE."));
    }

    /// <summary>A diffusers component folder: <c>config.json</c> + <c>diffusion_pytorch_model[.variant].safetensors</c>.</summary>
    public static AutoencoderKL FromPretrained(string folder, CheckpointOptions? options = null)
    {
        using var component = DiffusersComponents.OpenVae(folder, options);
        return Load(component);
    }

    /// <summary>The posterior of <paramref name="image"/> [B, C, H, W] in [-1, 1]; tiled when the image is above <see cref="VaeTiling.AutoAbovePixels"/>.</summary>
    public DiagonalGaussian Encode(Tensor image)
    {
        CheckImage(image);
        return ShouldTile(image.Shape[2], image.Shape[3]) ? EncodeTiled(image) : EncodeWhole(image);
    }

    /// <summary>The image [B, C, h·f, w·f] of <paramref name="latents"/> [B, L, h, w] (unscaled); tiled when the image is above <see cref="VaeTiling.AutoAbovePixels"/>.</summary>
    public Tensor Decode(Tensor latents)
    {
        CheckLatents(latents);
        return ShouldTile((long)latents.Shape[2] * SpatialFactor, (long)latents.Shape[3] * SpatialFactor) ? DecodeTiled(latents) : DecodeWhole(latents);
    }

    /// <summary>Encodes the whole image at once, exactly as the reference.</summary>
    // image [B, C, H, W] -> posterior over [B, L, H/f, W/f]
    public DiagonalGaussian EncodeWhole(Tensor image)
    {
        CheckImage(image);
        using var scope = TensorScope.Begin();
        return Keep(scope, new DiagonalGaussian(Moments(image)));
    }

    /// <summary>Decodes all latents at once, exactly as the reference.</summary>
    // latents [B, L, h, w] -> [B, C, h·f, w·f]
    public Tensor DecodeWhole(Tensor latents)
    {
        CheckLatents(latents);
        return Scoped.Run(() => DecodeTile(latents));
    }

    /// <summary>Encodes overlapping tiles of <see cref="Tiling"/> and blends their moments (diffusers <c>tiled_encode</c>).</summary>
    public DiagonalGaussian EncodeTiled(Tensor image)
    {
        CheckImage(image);
        int sampleTile = Tiling.TileSampleSize, latentTile = sampleTile / SpatialFactor;
        int stride = (int)(sampleTile * (1 - Tiling.OverlapFactor));
        int blend = (int)(latentTile * Tiling.OverlapFactor);
        using var scope = TensorScope.Begin();
        Tensor moments = TiledRunner.Run(image, sampleTile, stride, blend, latentTile - blend, Moments);   // [B, 2L, ~h, ~w]
        return Keep(scope, new DiagonalGaussian(moments));
    }

    /// <summary>Decodes overlapping tiles of <see cref="Tiling"/> and blends the seams (diffusers <c>tiled_decode</c>); memory stays that of one tile.</summary>
    public Tensor DecodeTiled(Tensor latents)
    {
        CheckLatents(latents);
        int sampleTile = Tiling.TileSampleSize, latentTile = sampleTile / SpatialFactor;
        int stride = (int)(latentTile * (1 - Tiling.OverlapFactor));
        int blend = (int)(sampleTile * Tiling.OverlapFactor);
        return Scoped.Run(() => TiledRunner.Run(latents, latentTile, stride, blend, sampleTile - blend, DecodeTile));
    }

    // image [B, C, H, W] -> moments [B, 2L, h, w]
    private Tensor Moments(Tensor image)
    {
        Tensor moments = Encoder.Forward(image);                   // [B, 2L, h, w]
        return QuantConv?.Forward(moments) ?? moments;             // [B, 2L, h, w]
    }

    // z [B, L, h, w] -> [B, C, h·f, w·f]
    private Tensor DecodeTile(Tensor z)
    {
        Tensor h = PostQuantConv?.Forward(z) ?? z;                 // [B, L, h, w]
        return Decoder.Forward(h);                                 // [B, C, h·f, w·f]
    }

    private bool ShouldTile(long height, long width) =>
        height * width > Tiling.AutoAbovePixels && (height > Tiling.TileSampleSize || width > Tiling.TileSampleSize);

    private static DiagonalGaussian Keep(TensorScope scope, DiagonalGaussian posterior)
    {
        scope.Keep(posterior.Mean);
        scope.Keep(posterior.LogVar);
        scope.Keep(posterior.Std);
        return posterior;
    }

    private void CheckImage(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rank != 4 || image.Shape[1] != Config.InChannels || image.Shape[0] == 0 || image.Shape[2] < 2 || image.Shape[3] < 2)
            throw new TensorShapeException("AutoencoderKL.Encode", $"image {image.Shape}", $"[B, {Config.InChannels}, H, W] with B >= 1 and H, W >= 2");
    }

    private void CheckLatents(Tensor latents)
    {
        ArgumentNullException.ThrowIfNull(latents);
        if (latents.Rank != 4 || latents.Shape[1] != Config.LatentChannels || latents.Shape[0] == 0 || latents.Shape[2] == 0 || latents.Shape[3] == 0)
            throw new TensorShapeException("AutoencoderKL.Decode", $"latents {latents.Shape}", $"[B, {Config.LatentChannels}, h, w] with B, h, w >= 1");
    }

    private static void Validate(AutoencoderKLConfig config)
    {
        var channels = config.BlockOutChannels;
        if (channels.Count == 0 || config.DownBlockTypes.Count != channels.Count || config.UpBlockTypes.Count != channels.Count)
            throw new ArgumentException($"AutoencoderKLConfig: block_out_channels {channels}, down_block_types {config.DownBlockTypes} and up_block_types {config.UpBlockTypes} must be non-empty and of equal length.", nameof(config));
        for (int i = 0; i < channels.Count; i++)
        {
            if (config.DownBlockTypes[i] != "DownEncoderBlock2D")
                throw new ArgumentException($"AutoencoderKLConfig.down_block_types[{i}]: \"{config.DownBlockTypes[i]}\" is not supported; expected DownEncoderBlock2D.", nameof(config));
            if (config.UpBlockTypes[i] != "UpDecoderBlock2D")
                throw new ArgumentException($"AutoencoderKLConfig.up_block_types[{i}]: \"{config.UpBlockTypes[i]}\" is not supported; expected UpDecoderBlock2D.", nameof(config));
            if (channels[i] <= 0 || config.NormNumGroups <= 0 || channels[i] % config.NormNumGroups != 0)
                throw new ArgumentException($"AutoencoderKLConfig.block_out_channels[{i}] = {channels[i]} is not a positive multiple of norm_num_groups {config.NormNumGroups}.", nameof(config));
        }
        if (config.ActFn != "silu")
            throw new ArgumentException($"AutoencoderKLConfig.act_fn: \"{config.ActFn}\" is not supported; expected silu.", nameof(config));
        if (config.LayersPerBlock <= 0 || config.LatentChannels <= 0 || config.InChannels <= 0 || config.OutChannels <= 0)
            throw new ArgumentException($"AutoencoderKLConfig: layers_per_block {config.LayersPerBlock}, latent_channels {config.LatentChannels}, in_channels {config.InChannels} and out_channels {config.OutChannels} must be positive.", nameof(config));
    }
}
