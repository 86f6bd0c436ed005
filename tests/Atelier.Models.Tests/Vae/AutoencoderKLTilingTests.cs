using Atelier.Models.Vae;
using Atelier.Tensors;
using Atelier.TestSupport;
using Xunit.Abstractions;

namespace Atelier.Models.Tests.Vae;

/// <summary>Tiled encode/decode: exact tile geometry, equality when one tile covers the input, closeness otherwise, the automatic switch.</summary>
public class AutoencoderKLTilingTests(ITestOutputHelper output)
{
    internal static Tensor Randn(ulong seed, params int[] shape) => Tensor.FromArray(new TorchGenerator(seed).Randn(shape), shape);

    [Theory]
    [InlineData(32, 32)]    // one tile
    [InlineData(48, 64)]    // 2 x 3 tiles, the last ones partial
    [InlineData(37, 53)]    // ragged edges
    [InlineData(24, 100)]   // one row of tiles
    public void Decode_geometry_reassembles_a_pointwise_map_exactly(int height, int width)
    {
        // With a map that treats every latent on its own (nearest 2x upsampling), overlapping tiles agree, so blending
        // must give back the whole-image result: any misplaced tile, wrong crop or wrong blend ramp shows up here.
        Tensor z = Randn(1, 1, 3, height, width);
        Tensor tiled = TiledRunner.Run(z, tile: 32, stride: 24, blend: 16, keep: 48, process: t => t.UpsampleNearest(2));
        TensorAssert.Close("tiled upsample", z.UpsampleNearest(2), tiled, atol: 1e-6, rtol: 0, "batch", "channel", "row", "column");
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(96, 128)]
    [InlineData(74, 106)]
    public void Encode_geometry_reassembles_a_pointwise_map_exactly(int height, int width)
    {
        // Encode direction: 2x subsampling (a 1x1 identity convolution with stride 2) over 64-pixel tiles.
        Tensor x = Randn(2, 1, 2, height, width);
        Tensor identity = Tensor.FromArray([1f, 0f, 0f, 1f], [2, 2, 1, 1]);
        Tensor Subsample(Tensor t) => t.Conv2d(identity, null, stride: 2);
        Tensor tiled = TiledRunner.Run(x, tile: 64, stride: 48, blend: 8, keep: 24, process: Subsample);
        TensorAssert.Close("tiled subsample", Subsample(x), tiled, atol: 1e-6, rtol: 0, "batch", "channel", "row", "column");
    }

    [Theory]
    [InlineData(32, new[] { 0 })]
    [InlineData(33, new[] { 0, 24 })]
    [InlineData(56, new[] { 0, 24 })]
    [InlineData(57, new[] { 0, 24, 48 })]
    public void A_tile_starts_only_while_the_previous_one_stops_short_of_the_edge(int size, int[] starts)
    {
        Assert.Equal(starts, TiledRunner.Starts(size, tile: 32, stride: 24));
    }

    [Fact]
    public void Blend_fades_linearly_from_the_upper_tile_into_the_lower()
    {
        Tensor a = Tensor.Full([1, 1, 6, 2], 4.0), b = Tensor.Full([1, 1, 5, 2], 8.0);
        float[] rows = TiledRunner.BlendVertical(a, b, extent: 4).Select(3, 0).Reshape(-1).ToFloatArray();
        Assert.Equal([4f, 5f, 6f, 7f, 8f], rows);   // y/4 of b and 1 - y/4 of a for y < 4, then b untouched
        float[] columns = TiledRunner.BlendHorizontal(a.Narrow(2, 0, 2).Transpose(2, 3), b.Narrow(2, 0, 2).Transpose(2, 3), extent: 2).Select(2, 0).Reshape(-1).ToFloatArray();
        Assert.Equal([4f, 6f], columns);
    }

    [SkippableFact]
    public void One_tile_decode_and_encode_equal_the_whole_ones_bit_for_bit()
    {
        var vae = AutoencoderKL.FromPretrained(SharedData.Require("reference/tiny-sd/vae"));   // tiles of 64 px = 32 latents
        Tensor z = Randn(3, 1, 4, 32, 20);
        Assert.Equal(vae.DecodeWhole(z).ToFloatArray(), vae.DecodeTiled(z).ToFloatArray());
        Tensor image = Randn(4, 1, 3, 64, 40).Clamp(-1, 1);
        Assert.Equal(vae.EncodeWhole(image).Mean.ToFloatArray(), vae.EncodeTiled(image).Mean.ToFloatArray());
    }

    [SkippableFact]
    public void Tiled_decode_and_encode_stay_close_to_the_whole_ones()
    {
        // Not equal by design: each tile normalises with its own GroupNorm statistics and attends only within itself.
        // The tiny VAE (1 channel per GroupNorm group at 32 channels, 64-pixel tiles) is the worst case for that;
        // a misplaced or unblended tile would differ by about the output's own spread (std 0.6, range ±2).
        var vae = AutoencoderKL.FromPretrained(SharedData.Require("reference/tiny-sd/vae"));
        Tensor z = Randn(7, 1, 4, 48, 64);                                  // -> 96 x 128 pixels, 2 x 3 tiles
        Tensor whole = vae.DecodeWhole(z), tiled = vae.DecodeTiled(z);
        var (std, maxDiff, meanDiff) = Compare(whole, tiled);
        output.WriteLine($"decode 96x128, 64 px tiles: output std {std:G3}, max |tiled - whole| {maxDiff:G3}, mean {meanDiff:G3}");
        Assert.True(meanDiff < 0.15 * std && maxDiff < 0.75, $"tiled decode: mean |diff| {meanDiff:G3}, max {maxDiff:G3} against output std {std:G3}.");

        Tensor image = Randn(8, 1, 3, 96, 128).Clamp(-1, 1);
        var wholePosterior = vae.EncodeWhole(image);
        var tiledPosterior = vae.EncodeTiled(image);
        var (meanStd, meanMax, meanMean) = Compare(wholePosterior.Mean, tiledPosterior.Mean);
        output.WriteLine($"encode 96x128, 64 px tiles: latent mean std {meanStd:G3}, max |tiled - whole| {meanMax:G3}, mean {meanMean:G3}");
        Assert.True(meanMean < 0.15 * meanStd && meanMax < 0.75, $"tiled encode: mean |diff| {meanMean:G3}, max {meanMax:G3} against latent std {meanStd:G3}.");
    }

    [SkippableFact]
    public void Decode_and_encode_switch_to_tiles_above_the_threshold_only()
    {
        var vae = AutoencoderKL.FromPretrained(SharedData.Require("reference/tiny-sd/vae"));
        Tensor z = Randn(9, 1, 4, 32, 48);   // 64 x 96 = 6144 pixels
        Assert.Equal(vae.DecodeWhole(z).ToFloatArray(), vae.Decode(z).ToFloatArray());   // default threshold 768²

        vae.Tiling = vae.Tiling with { AutoAbovePixels = 64 * 64 };
        Assert.Equal(vae.DecodeTiled(z).ToFloatArray(), vae.Decode(z).ToFloatArray());
        Assert.NotEqual(vae.DecodeWhole(z).ToFloatArray(), vae.Decode(z).ToFloatArray());
        Tensor square = z.Narrow(3, 0, 32);  // 64 x 64 = 4096 pixels: not above the threshold, and one tile anyway
        Assert.Equal(vae.DecodeWhole(square).ToFloatArray(), vae.Decode(square).ToFloatArray());

        Tensor image = Randn(10, 1, 3, 64, 96).Clamp(-1, 1);
        Assert.Equal(vae.EncodeTiled(image).Mean.ToFloatArray(), vae.Encode(image).Mean.ToFloatArray());
    }

    [Fact]
    public void Tiling_settings_that_cannot_tile_are_refused_by_name()
    {
        var vae = new AutoencoderKL(AutoencoderKLPresets.Tiny);
        Assert.Equal(64, vae.Tiling.TileSampleSize);
        Assert.Contains("OverlapFactor", Assert.Throws<ArgumentException>(() => vae.Tiling = vae.Tiling with { OverlapFactor = 1 }).Message);
        Assert.Contains("TileSampleSize 63", Assert.Throws<ArgumentException>(() => vae.Tiling = vae.Tiling with { TileSampleSize = 63 }).Message);
        Assert.Contains("do not line up", Assert.Throws<ArgumentException>(() => vae.Tiling = vae.Tiling with { OverlapFactor = 0.3 }).Message);
        Assert.Contains("at least one latent", Assert.Throws<ArgumentException>(() => vae.Tiling = vae.Tiling with { OverlapFactor = 0 }).Message);
    }

    private static (double Std, double MaxDiff, double MeanDiff) Compare(Tensor reference, Tensor candidate)
    {
        float[] r = reference.ToFloatArray(), c = candidate.ToFloatArray();
        double mean = r.Average(), std = Math.Sqrt(r.Select(v => (v - mean) * (v - mean)).Average());
        double max = 0, sum = 0;
        for (int i = 0; i < r.Length; i++)
        {
            double d = Math.Abs((double)r[i] - c[i]);
            max = Math.Max(max, d);
            sum += d;
        }
        return (std, max, sum / r.Length);
    }
}
