using Atelier.Formats.Checkpoints;
using Atelier.Models.Vae;
using Atelier.Nn;
using Atelier.Tensors;
using Atelier.TestSupport;

namespace Atelier.Models.Tests.Vae;

/// <summary>The VAE's blocks against plain definitions, and the model's structure and validation.</summary>
public class VaeBlockTests
{
    private static Tensor Randn(ulong seed, params int[] shape) => AutoencoderKLTilingTests.Randn(seed, shape);

    [Theory]
    [InlineData(6, 8)]
    [InlineData(5, 7)]
    [InlineData(2, 3)]
    public void Downsample_pads_one_zero_row_and_column_at_the_bottom_right(int height, int width)
    {
        var down = RandomWeights.Initialize(new Downsample2D(3), 31);
        Tensor x = Randn(32, 2, 3, height, width);
        float[] xs = x.ToFloatArray(), w = down.Conv.Weight.Value.ToFloatArray(), b = down.Conv.Bias!.Value.ToFloatArray();
        int outH = (height - 2) / 2 + 1, outW = (width - 2) / 2 + 1;
        var expected = new float[2 * 3 * outH * outW];
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 3; o++)
                for (int i = 0; i < outH; i++)
                    for (int j = 0; j < outW; j++)
                    {
                        double sum = b[o];
                        for (int c = 0; c < 3; c++)
                            for (int ky = 0; ky < 3; ky++)
                                for (int kx = 0; kx < 3; kx++)
                                {
                                    int y = 2 * i + ky, xx = 2 * j + kx;   // rows/columns past the edge are the zero padding
                                    if (y < height && xx < width)
                                        sum += w[((o * 3 + c) * 3 + ky) * 3 + kx] * xs[((n * 3 + c) * height + y) * width + xx];
                                }
                        expected[((n * 3 + o) * outH + i) * outW + j] = (float)sum;
                    }
        TensorAssert.Close("downsample", Tensor.FromArray(expected, [2, 3, outH, outW]), down.Forward(x), atol: 1e-5, rtol: 1e-5, "batch", "channel", "row", "column");
    }

    [Fact]
    public void Attention_is_single_head_softmax_attention_over_row_major_positions_plus_the_input()
    {
        var attention = RandomWeights.Initialize(new VaeAttention(64, 32, 1e-6f), 41);
        Tensor x = Randn(42, 1, 64, 3, 5);
        Tensor tokens = attention.GroupNorm.Forward(x).Reshape(64, 15).T;                         // [HW, C], position h·W + w
        Tensor q = attention.ToQ.Forward(tokens), k = attention.ToK.Forward(tokens), v = attention.ToV.Forward(tokens);
        Tensor weights = (q.MatMul(k.T) / MathF.Sqrt(64)).Softmax(-1);                           // [HW, HW]
        Tensor o = attention.ToOut[0].Forward(weights.MatMul(v));                                 // [HW, C]
        Tensor expected = o.T.Reshape(1, 64, 3, 5) + x;
        TensorAssert.Close("attention", expected, attention.Forward(x), atol: 1e-5, rtol: 1e-5, "batch", "channel", "row", "column");
    }

    [Fact]
    public void Resnet_with_a_silent_second_convolution_returns_its_shortcut()
    {
        var same = RandomWeights.Initialize(new ResnetBlock2D(32, 32, 32, 1e-6f), 51);
        var wider = RandomWeights.Initialize(new ResnetBlock2D(32, 64, 32, 1e-6f), 52);
        Assert.Null(same.ConvShortcut);
        Assert.NotNull(wider.ConvShortcut);
        foreach (var block in new[] { same, wider })
        {
            // conv2 = 0 makes the residual branch vanish whatever conv1 and the norms do
            block.Conv2.Weight.Value = Tensor.ZerosLike(block.Conv2.Weight.Value);
            block.Conv2.Bias!.Value = Tensor.ZerosLike(block.Conv2.Bias.Value);
        }
        Tensor x = Randn(53, 1, 32, 4, 4);
        Assert.Equal(x.ToFloatArray(), same.Forward(x).ToFloatArray());
        TensorAssert.Close("wider shortcut", wider.ConvShortcut!.Forward(x), wider.Forward(x), atol: 0, rtol: 0);
    }

    [Fact]
    public void Posterior_clamps_the_log_variance_and_samples_mean_plus_std_times_noise()
    {
        // moments: channel 0 = mean, channel 1 = log-variance (one latent channel)
        Tensor moments = Tensor.FromArray([0.5f, -1f, 2f, 3f, /* logvar */ -50f, 30f, 0f, -2f], [1, 2, 2, 2]);
        var posterior = new DiagonalGaussian(moments);
        Assert.Equal([0.5f, -1f, 2f, 3f], posterior.Mean.ToFloatArray());
        Assert.Equal([-30f, 20f, 0f, -2f], posterior.LogVar.ToFloatArray());
        float[] std = posterior.Std.ToFloatArray();
        Assert.Equal(new[] { -15.0, 10.0, 0.0, -1.0 }.Select(l => (float)Math.Exp(l)), std, (a, b) => Math.Abs(a - b) <= 1e-6 * Math.Abs(b));
        Tensor noise = Tensor.FromArray([1f, -1f, 2f, 0.5f], [1, 1, 2, 2]);
        float[] sample = posterior.Sample(noise).ToFloatArray();
        Assert.Equal([0.5f + std[0], -1f - std[1], 2f + 2 * std[2], 3f + 0.5f * std[3]], sample);
        Assert.Same(posterior.Mean, posterior.Mode());
        Assert.Throws<TensorShapeException>(() => posterior.Sample(Tensor.Zeros([1, 2, 2, 2])));
        Assert.Throws<TensorShapeException>(() => new DiagonalGaussian(Tensor.Zeros([1, 3, 2, 2])));
    }

    [Fact]
    public void Sd_preset_has_the_parameter_count_and_names_of_the_diffusers_model()
    {
        var vae = new AutoencoderKL(AutoencoderKLPresets.Sd);
        Assert.Equal(83_653_863, vae.ParameterCount);   // diffusers AutoencoderKL of SD 1.x/2.x
        var names = vae.NamedParameters().Select(p => p.Key).ToHashSet();
        Assert.Contains("encoder.down_blocks.0.downsamplers.0.conv.weight", names);
        Assert.DoesNotContain("encoder.down_blocks.3.downsamplers.0.conv.weight", names);
        Assert.Contains("encoder.mid_block.attentions.0.to_out.0.weight", names);
        Assert.Contains("decoder.up_blocks.2.resnets.0.conv_shortcut.weight", names);   // 512 -> 256
        Assert.Contains("decoder.up_blocks.0.upsamplers.0.conv.weight", names);
        Assert.DoesNotContain("decoder.up_blocks.3.upsamplers.0.conv.weight", names);
        Assert.Equal(3, vae.Decoder.UpBlocks[0].Resnets.Count);
        Assert.Equal(8, vae.SpatialFactor);
    }

    [Fact]
    public void Decode_and_encode_give_the_shapes_of_the_spatial_factor()
    {
        var vae = RandomWeights.Initialize(new AutoencoderKL(AutoencoderKLPresets.Tiny), 61);
        Assert.Equal(new Shape(2, 3, 14, 18), vae.Decode(Randn(62, 2, 4, 7, 9)).Shape);
        Assert.Equal(new Shape(2, 4, 7, 9), vae.Encode(Randn(63, 2, 3, 15, 19)).Mean.Shape);   // odd sizes round down, as diffusers
        Assert.Contains("[B, 4, h, w]", Assert.Throws<TensorShapeException>(() => vae.Decode(Tensor.Zeros([1, 3, 8, 8]))).Message);
        Assert.Contains("[B, 3, H, W]", Assert.Throws<TensorShapeException>(() => vae.Encode(Tensor.Zeros([1, 4, 8, 8]))).Message);
    }

    [Fact]
    public void Unsupported_configs_are_refused_by_field()
    {
        var tiny = AutoencoderKLPresets.Tiny;
        Assert.Contains("down_block_types[1]", Assert.Throws<ArgumentException>(() => new AutoencoderKL(tiny with { DownBlockTypes = new[] { "DownEncoderBlock2D", "AttnDownEncoderBlock2D" } })).Message);
        Assert.Contains("act_fn", Assert.Throws<ArgumentException>(() => new AutoencoderKL(tiny with { ActFn = "gelu" })).Message);
        Assert.Contains("norm_num_groups 32", Assert.Throws<ArgumentException>(() => new AutoencoderKL(tiny with { BlockOutChannels = new[] { 32, 48 } })).Message);
    }

    [SkippableFact]
    public void Weights_of_another_architecture_are_named_when_loading()
    {
        using var component = DiffusersComponents.OpenVae(SharedData.Require("reference/tiny-sd/vae"));
        var noAttention = new AutoencoderKL(component.Config with { MidBlockAddAttention = false });
        var error = Assert.Throws<WeightLoadException>(() => noAttention.LoadWeights(component.Weights.ToTensors(), component.Weights.Description));
        Assert.Equal(20, error.Unexpected.Count);   // encoder and decoder × (group_norm, to_q, to_k, to_v, to_out.0) × (weight, bias)
        Assert.Contains("encoder.mid_block.attentions.0.to_q.weight [64, 64]", error.Unexpected);
        Assert.Empty(error.Missing);
    }
}
