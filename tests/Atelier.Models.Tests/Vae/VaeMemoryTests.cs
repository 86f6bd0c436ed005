using Atelier.Models.Vae;
using Atelier.Tensors;
using Atelier.TestSupport;
using Xunit.Abstractions;

namespace Atelier.Models.Tests.Vae;

/// <summary>Measures TensorMemory, which is process-wide: these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

/// <summary>Peak pool memory of VAE decodes (bytes are deterministic; no timing is measured).</summary>
[Collection(nameof(MemoryMeasurements))]
public class VaeMemoryTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Tiled_decode_memory_is_one_tile_plus_a_few_output_images()
    {
        var vae = AutoencoderKL.FromPretrained(SharedData.Require("reference/tiny-sd/vae"));   // tiles of 64 px = 32 latents
        long oneTile = Peak(() => vae.DecodeWhole(AutoencoderKLTilingTests.Randn(1, 1, 4, 32, 32)));
        long wholeLarge = Peak(() => vae.DecodeWhole(AutoencoderKLTilingTests.Randn(1, 1, 4, 96, 96)));
        long tiledLarge = Peak(() => vae.DecodeTiled(AutoencoderKLTilingTests.Randn(1, 1, 4, 96, 96)));
        long outputBytes = 3L * 192 * 192 * sizeof(float);
        output.WriteLine($"peak above baseline: one 64x64 px tile {oneTile:N0} B; 192x192 px whole {wholeLarge:N0} B, tiled {tiledLarge:N0} B (output {outputBytes:N0} B)");
        // Tiled = one tile's decode + the blended output tiles (1.8x the output at 25 % overlap), the cropped rows (1x)
        // and the result (1x), with pool size classes rounding each up by at most 25 %.
        Assert.True(tiledLarge <= oneTile + 6 * outputBytes, $"tiled decode peak {tiledLarge:N0} bytes > one tile {oneTile:N0} + 6 x output {outputBytes:N0}.");
        Assert.True(tiledLarge < wholeLarge / 4, $"tiled decode peak {tiledLarge:N0} bytes vs whole {wholeLarge:N0} bytes.");
    }

    [SkippableFact]
    public void Decode_and_encode_leave_only_their_outputs_allocated()
    {
        var vae = AutoencoderKL.FromPretrained(SharedData.Require("reference/tiny-sd/vae"));
        Tensor z = AutoencoderKLTilingTests.Randn(2, 1, 4, 24, 40);
        Tensor image = AutoencoderKLTilingTests.Randn(3, 1, 3, 48, 80);
        Settle();
        using var scope = TensorScope.Begin();
        long before = TensorMemory.CurrentBytes;
        Tensor decoded = vae.Decode(z);                                    // [1, 3, 48, 80]: 46,080 bytes
        Assert.InRange(TensorMemory.CurrentBytes - before, decoded.ElementCount * 4, decoded.ElementCount * 4 * 5 / 4 + 64);
        before = TensorMemory.CurrentBytes;
        var posterior = vae.Encode(image);                                 // moments + logvar + std: 4 x [1, 4, 24, 40]
        long latent = posterior.Mean.ElementCount * 4;
        Assert.InRange(TensorMemory.CurrentBytes - before, 4 * latent, 4 * (latent * 5 / 4 + 64));
    }

    private static long Peak(Func<Tensor> run)
    {
        Settle();
        using var scope = TensorScope.Begin();
        long baseline = TensorMemory.CurrentBytes;
        TensorMemory.ResetPeak();
        run();
        return TensorMemory.PeakBytes - baseline;
    }

    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
