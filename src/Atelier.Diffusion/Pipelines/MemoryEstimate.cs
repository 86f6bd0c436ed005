using System.Globalization;
using Atelier.Formats.Checkpoints;
using Atelier.Models.Vae;
using Atelier.Tensors;

namespace Atelier.Diffusion.Pipelines;

/// <summary>
/// An upper estimate of the working memory (beyond the weights) of one run, so that a size the machine cannot hold is
/// refused with a number before minutes of work, not met by the operating system's OOM killer. float32 activations:
/// <list type="bullet">
/// <item>UNet call, batch B (doubled by guidance): the skip tensors the up path keeps (conv_in, every down ResNet or
/// attention output, every downsampler) plus the largest block's working set, 56·C·h·w floats per sample at a level
/// with attention and 16·C·h·w without. The transformer block alone holds GEGLU's 8C projection, its 4C product,
/// q/k/v, norms and residuals (about 24·C·h·w); the up path's concatenated 2C inputs double that. Measured on the
/// reference tiny model (MemoryEstimateTests): its peak is 45·C·h·w per sample above the skips; 56 leaves a margin.</item>
/// <item>VAE: 12·C·H·W floats per image at its widest level (two ResNet temporaries, the upsampled input, the
/// attention-free convolutions' im2col tiles), of one tile when the image is decoded in tiles. Measured: the SD VAE
/// decoding 512x512 peaks at 1.28 GB in a whole pipeline run (bench suite "pipeline"), 9.5·C·H·W; 12 leaves a margin.</item>
/// </list>
/// Attention itself is computed tile by tile and adds no quadratic term. Checked against <see cref="TensorMemory.PeakBytes"/>
/// in MemoryEstimateTests (tiny model only): the estimate stays above the measured peak of a whole text-to-image run
/// and within 8x of it (the UNet term dominates there; the VAE term is not measured on its own).
/// </summary>
public static class MemoryEstimate
{
    private const long FloatBytes = sizeof(float);

    /// <summary>Bytes of one UNet call on <paramref name="batch"/> latents of <paramref name="latentHeight"/> × <paramref name="latentWidth"/>.</summary>
    public static long UNetBytes(UNet2DConditionConfig unet, int batch, int latentHeight, int latentWidth)
    {
        ArgumentNullException.ThrowIfNull(unet);
        int levels = unet.BlockOutChannels.Count;
        int[] layers = unet.LayersPerBlock.PerBlock(levels, "layers_per_block");
        double skips = 0, working = 0;
        long h = latentHeight, w = latentWidth;
        skips += (double)unet.BlockOutChannels[0] * h * w;                                   // conv_in
        for (int i = 0; i < levels; i++)
        {
            int c = unet.BlockOutChannels[i];
            bool attention = unet.DownBlockTypes[i].StartsWith("CrossAttn", StringComparison.Ordinal);
            skips += (double)layers[i] * c * h * w;                                          // resnet (+ attention) outputs
            working = Math.Max(working, (attention ? 56.0 : 16.0) * c * h * w);
            if (i < levels - 1)
            {
                h = (h + 1) / 2;
                w = (w + 1) / 2;
                skips += (double)c * h * w;                                                  // downsampler output
            }
        }
        return (long)Math.Ceiling((skips + working) * batch * FloatBytes);
    }

    /// <summary>Bytes of decoding (or encoding) one <paramref name="height"/> × <paramref name="width"/> image, whole or per tile as <paramref name="tiling"/> decides.</summary>
    public static long VaeBytes(AutoencoderKLConfig vae, VaeTiling tiling, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(vae);
        ArgumentNullException.ThrowIfNull(tiling);
        long pixels = (long)height * width;
        bool tiled = pixels > tiling.AutoAbovePixels && (height > tiling.TileSampleSize || width > tiling.TileSampleSize);
        long worked = tiled ? (long)tiling.TileSampleSize * tiling.TileSampleSize : pixels;
        // The widest level runs at full resolution; the deeper ones have more channels on a quarter of the pixels each.
        double widest = 0;
        for (int i = 0; i < vae.BlockOutChannels.Count; i++)
            widest = Math.Max(widest, (double)vae.BlockOutChannels[i] * (worked >> (2 * i)));
        double output = 2.0 * vae.OutChannels * pixels;                                         // the image, and its blended copy when tiled
        return (long)Math.Ceiling((12 * widest + output) * FloatBytes);
    }

    /// <summary>
    /// Bytes the machine can give a run now: the operating system's available memory (<c>MemAvailable</c> on Linux,
    /// else the runtime's limit minus this process's working set), plus the engine's pool of released blocks.
    /// </summary>
    public static long AvailableBytes()
    {
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - Environment.WorkingSet;
        if (ReadMemAvailable() is { } available)
            limit = Math.Min(limit, available);
        return Math.Max(0, limit) + TensorMemory.PooledBytes;
    }

    /// <summary>
    /// Throws <see cref="GenerationTooLargeException"/> when the UNet loop or the VAE would need more than
    /// <paramref name="limitBytes"/> (null: <see cref="AvailableBytes"/>).
    /// </summary>
    public static void Check(StableDiffusionModel model, int unetBatch, int height, int width, long? limitBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        int h = height / model.VaeScaleFactor, w = width / model.VaeScaleFactor;
        long unet = UNetBytes(model.UNet.Config, unetBatch, h, w);
        long vae = VaeBytes(model.Vae.Config, model.Vae.Tiling, height, width);
        long needed = Math.Max(unet, vae);
        long available = limitBytes ?? AvailableBytes();
        if (needed <= available)
            return;
        string what = unet >= vae
            ? string.Create(CultureInfo.InvariantCulture, $"the UNet's activations for latents [{unetBatch}, {model.LatentChannels}, {h}, {w}]{(unetBatch > 1 ? " (the batch doubled by guidance where it applies)" : "")}")
            : "the VAE's activations";
        throw new GenerationTooLargeException(width, height, needed, available, what);
    }

    private static long? ReadMemAvailable()
    {
        try
        {
            if (!File.Exists("/proc/meminfo"))
                return null;
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    continue;
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
