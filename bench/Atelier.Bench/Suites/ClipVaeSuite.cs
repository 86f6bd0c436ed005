using System.Diagnostics;
using Atelier.Formats.Checkpoints;
using Atelier.Models.Clip;
using Atelier.Models.Vae;
using Atelier.Tensors;
using Atelier.Tensors.Kernels;

namespace Atelier.Bench.Suites;

/// <summary>
/// The SD 1.5 text encoder and VAE decoder at full size with random weights (Atelier.Models): CLIP ViT-L/14 text
/// (12 layers, 768 wide) on a batch of 2 prompts of 77 tokens, and the VAE (128/256/512/512, 4 latent channels)
/// decoding a 64x64 latent to 512x512, whole and in 256-pixel tiles. FLOPs count the convolutions and matrix
/// products (2 per multiply-add; causal attention counts its visible pairs), not norms or activations. The note
/// gives the peak pool memory above the weights (TensorMemory.PeakBytes) and, for tiles, the largest difference from
/// the whole decode. Reference point on this machine: stable-diffusion.cpp decodes 512x512 in 36 s.
/// </summary>
internal sealed class ClipVaeSuite : IBenchSuite
{
    public string Name => "clip-vae";

    public string Description => "SD 1.5 CLIP text encoder (B=2) and VAE decode 512x512 (whole, tiled), random weights; peak memory";

    public IEnumerable<BenchRow> Run(BenchOptions options)
    {
        Parallelism.Threads = options.Threads;

        var clip = RandomModelWeights.Initialize(new ClipTextModel(ClipTextPresets.Sd15), seed: 1);
        Tensor ids = PromptIds(batch: 2);
        double clipFlops = ClipFlops(ClipTextPresets.Sd15, batch: 2, tokens: 77);
        var (clipSeconds, clipPeak, _) = Measure(() => clip.Forward(ids).LastHiddenState, runs: options.Quick ? 3 : 10);
        yield return new BenchRow("clip text encode", "SD1.5 B=2 N=77", clipFlops, clipSeconds, $"peak {Mib(clipPeak)}");
        var clipHalf = HalfCopy(clip);
        var (halfSeconds, halfPeak, _) = Measure(() => clipHalf.Forward(ids).LastHiddenState, runs: options.Quick ? 3 : 10);
        yield return new BenchRow("clip text encode F16 W", "SD1.5 B=2 N=77", clipFlops, halfSeconds, $"peak {Mib(halfPeak)}");
        clip = null;
        clipHalf = null;

        var vae = RandomModelWeights.Initialize(new AutoencoderKL(AutoencoderKLPresets.Sd), seed: 2);
        Tensor latents = Tensor.FromArray(new TorchGenerator(3).Randn(1, 4, 64, 64), [1, 4, 64, 64]);
        double decodeFlops = DecodeFlops(AutoencoderKLPresets.Sd, 64, 64);
        int runs = options.Quick ? 1 : 2;
        var (wholeSeconds, wholePeak, whole) = Measure(() => vae.DecodeWhole(latents), runs);
        yield return new BenchRow("vae decode whole", "SD 64x64 -> 512x512", decodeFlops, wholeSeconds, $"peak {Mib(wholePeak)}; sd.cpp 36 s");

        vae.Tiling = vae.Tiling with { TileSampleSize = 256 };
        var (tiledSeconds, tiledPeak, tiled) = Measure(() => vae.DecodeTiled(latents), runs);
        // Tiles recompute their overlaps: tiles of 32 latents every 24 start at 0, 24, 48 (32, 32, 16 wide) in each direction.
        int[] sizes = [32, 32, 16];
        double tiledFlops = sizes.Sum(th => sizes.Sum(tw => DecodeFlops(AutoencoderKLPresets.Sd, th, tw)));
        var (maxDiff, meanDiff) = Differences(whole, tiled);
        yield return new BenchRow("vae decode tiled 256px", "SD 64x64 -> 512x512", tiledFlops, tiledSeconds,
            $"peak {Mib(tiledPeak)}; |tiled - whole| max {maxDiff:G3}, mean {meanDiff:G3} (output std {Std(whole):G3})");
    }

    /// <summary>Best wall time of <paramref name="runs"/> runs, the largest peak of pool bytes above the level before a run, and the last result.</summary>
    private static (double Seconds, long PeakBytes, Tensor Result) Measure(Func<Tensor> run, int runs)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        double best = double.MaxValue;
        long peak = 0;
        Tensor? result = null;
        for (int i = 0; i < runs; i++)
        {
            using var scope = TensorScope.Begin();
            long baseline = TensorMemory.CurrentBytes;
            TensorMemory.ResetPeak();
            var sw = Stopwatch.StartNew();
            Tensor output = run();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            peak = Math.Max(peak, TensorMemory.PeakBytes - baseline);
            if (i == runs - 1) result = scope.Keep(output);
        }
        return (best, peak, result!);
    }

    /// <summary>"a photo of an astronaut riding a horse on mars" and the empty prompt, as CLIP ids padded with end-of-text.</summary>
    private static Tensor PromptIds(int batch)
    {
        long[][] prompts =
        [
            [49406, 320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496, 49407],
            [49406, 49407],
        ];
        var ids = new long[batch * 77];
        for (int b = 0; b < batch; b++)
        {
            long[] p = prompts[b % prompts.Length];
            for (int j = 0; j < 77; j++) ids[b * 77 + j] = j < p.Length ? p[j] : 49407;
        }
        return Tensor.FromArray(ids, [batch, 77]);
    }

    private static ClipTextModel HalfCopy(ClipTextModel model)
    {
        var half = new ClipTextModel(model.Config);
        var source = model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Value);
        foreach (var (name, parameter) in half.NamedParameters())
            parameter.Value = source[name].Cast(DType.F16);
        return half;
    }

    // Per layer: q, k, v, out projections (4·D²) and the MLP (2·D·I) per token; attention products 4·H·pairs·Dh.
    private static double ClipFlops(ClipTextConfig c, int batch, int tokens)
    {
        double pairs = tokens * (tokens + 1) / 2.0;
        double perLayer = 2.0 * batch * tokens * (4.0 * c.HiddenSize * c.HiddenSize + 2.0 * c.HiddenSize * c.IntermediateSize)
                        + 4.0 * batch * c.NumAttentionHeads * pairs * c.HeadDim;
        return c.NumHiddenLayers * perLayer;
    }

    // post_quant_conv, conv_in, mid block (2 ResNets + attention), up blocks (ResNets, upsampler convs), conv_out.
    private static double DecodeFlops(AutoencoderKLConfig c, int h, int w)
    {
        static double Conv(int cin, int cout, int k, long pixels) => 2.0 * cin * cout * k * k * pixels;
        static double Resnet(int cin, int cout, long pixels) => Conv(cin, cout, 3, pixels) + Conv(cout, cout, 3, pixels) + (cin != cout ? Conv(cin, cout, 1, pixels) : 0);
        int[] channels = [.. c.BlockOutChannels.Reverse()];
        long pixels = (long)h * w;
        double flops = Conv(c.LatentChannels, c.LatentChannels, 1, pixels) + Conv(c.LatentChannels, channels[0], 3, pixels);
        flops += 2 * Resnet(channels[0], channels[0], pixels) + 8.0 * pixels * channels[0] * channels[0] + 4.0 * pixels * pixels * channels[0];
        int previous = channels[0];
        for (int i = 0; i < channels.Length; i++)
        {
            for (int j = 0; j <= c.LayersPerBlock; j++)
                flops += Resnet(j == 0 ? previous : channels[i], channels[i], pixels);
            previous = channels[i];
            if (i < channels.Length - 1)
            {
                pixels *= 4;
                flops += Conv(channels[i], channels[i], 3, pixels);
            }
        }
        return flops + Conv(channels[^1], c.OutChannels, 3, pixels);
    }

    private static (double Max, double Mean) Differences(Tensor a, Tensor b)
    {
        float[] x = a.ToFloatArray(), y = b.ToFloatArray();
        double worst = 0, sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = Math.Abs((double)x[i] - y[i]);
            worst = Math.Max(worst, d);
            sum += d;
        }
        return (worst, sum / x.Length);
    }

    private static double Std(Tensor t)
    {
        float[] x = t.ToFloatArray();
        double mean = x.Average();
        return Math.Sqrt(x.Select(v => (v - mean) * (v - mean)).Average());
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):F0} MiB";
}
