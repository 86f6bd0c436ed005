using Atelier.TestSupport;

namespace Atelier.Tensors.Tests;

/// <summary>
/// Regenerates, from their seeds, the random tensors PyTorch 1.13 (CPU, x86-64) recorded in
/// <c>reference/tiny-sd-expected</c> and the randomly initialised tiny models in <c>reference/tiny-sd</c>, and requires
/// them bit for bit. Seeds stated in index.json: pipelines 602 (img2img), 604-607; UNet samples 201-203. Seeds not
/// stated there were found by searching seeds 0..200000 for the first 16 values and are then checked on every element:
/// txt2img latents_in 601, inpaint latents_in 603, UNet sample_odd 204, VAE sample_noise 302, latents_scaled 303,
/// scheduler runs x_init and B 401 (in that order), DDIM variance noise 402, scheduler step noise 403.
/// </summary>
[Trait("Category", "Kernel")]
public class TorchGeneratorFixtureTests
{
    private const string Expected = "reference/tiny-sd-expected/";

    public static TheoryData<string, ulong, string[]> PipelineDraws() => new()
    {
        // file, generator seed, tensors in the order the pipeline drew them (diffusers randn_tensor on a CPU generator)
        { "img2img_pndm", 602, ["noise0", "noise1"] },         // VAE latent_dist.sample noise, then add_noise noise
        { "img2img_ddim", 602, ["noise0", "noise1"] },
        { "inpaint_9ch", 604, ["noise0"] },                    // masked-image VAE sample (latents were given)
        { "inpaint_4ch_blend", 605, ["noise0", "noise1"] },    // image VAE sample, masked-image VAE sample
        { "inpaint_legacy", 606, ["noise0", "noise1"] },       // VAE sample, add_noise noise
        { "txt2img_euler_neg", 607, ["noise0", "noise1", "noise2", "noise3"] }, // EulerDiscrete step noise (s_churn 0)
    };

    [SkippableTheory]
    [MemberData(nameof(PipelineDraws))]
    public void PipelineNoiseIsRegeneratedFromTheSeed(string pipeline, ulong seed, string[] draws)
    {
        var file = Open($"pipelines/{pipeline}.safetensors");
        var generator = new TorchGenerator(seed);
        foreach (string name in draws)
            AssertBitExact($"{pipeline}/{name}", file.ReadF32(name), generator.Randn(file.Shape(name)));
    }

    [SkippableTheory]
    [InlineData("txt2img_pndm", 601)]
    [InlineData("txt2img_pndm_neg", 601)]
    [InlineData("txt2img_pndm_nocfg", 601)]
    [InlineData("txt2img_euler_neg", 601)]
    [InlineData("inpaint_9ch", 603)]
    [InlineData("inpaint_4ch_blend", 603)]
    public void GivenLatentsAreTheFirstDrawOfTheirSeed(string pipeline, ulong seed)
    {
        var file = Open($"pipelines/{pipeline}.safetensors");
        AssertBitExact($"{pipeline}/latents_in", file.ReadF32("latents_in"), new TorchGenerator(seed).Randn(file.Shape("latents_in")));
    }

    [SkippableFact]
    public void UNetAndVaeInputsAreRegenerated()
    {
        foreach (var (name, seed) in new[] { ("unet", 201ul), ("unet_sd2", 202ul), ("unet_inpaint", 203ul) })
        {
            var file = Open($"{name}.safetensors");
            AssertBitExact($"{name}/sample", file.ReadF32("sample"), new TorchGenerator(seed).Randn(file.Shape("sample")));
        }
        var unet = Open("unet.safetensors");
        // [1, 4, 13, 19] = 988 elements: a ragged size (988 % 16 = 12) through the recomputed last block.
        AssertBitExact("unet/sample_odd", unet.ReadF32("sample_odd"), new TorchGenerator(204).Randn(unet.Shape("sample_odd")));

        var vae = Open("vae.safetensors");
        AssertBitExact("vae/sample_noise", vae.ReadF32("sample_noise"), new TorchGenerator(302).Randn(vae.Shape("sample_noise")));
        AssertBitExact("vae/latents_scaled", vae.ReadF32("latents_scaled"), new TorchGenerator(303).Randn(vae.Shape("latents_scaled")));
    }

    public static TheoryData<string> SchedulerRuns()
    {
        var runs = new TheoryData<string>();
        foreach (string scheduler in new[] { "ddim_eta0", "ddim_eta1", "ddpm", "dpmpp_2m", "dpmpp_2m_karras", "euler",
            "euler_ancestral", "heun", "lcm", "lms", "pndm" })
            foreach (string prediction in new[] { "epsilon", "v_prediction" })
                runs.Add($"{scheduler}_{prediction}");
        return runs;
    }

    [SkippableTheory]
    [MemberData(nameof(SchedulerRuns))]
    public void SchedulerRunInputsAndStepNoiseAreRegenerated(string run)
    {
        var file = Open($"schedulers/{run}.safetensors");
        var inputs = new TorchGenerator(401);
        AssertBitExact($"{run}/x_init", file.ReadF32("x_init"), inputs.Randn(file.Shape("x_init")));
        AssertBitExact($"{run}/B", file.ReadF32("B"), inputs.Randn(file.Shape("B")));

        var stepNoise = new TorchGenerator(403);
        var varianceNoise = new TorchGenerator(402);
        for (int step = 0; step < 10; step++)
        {
            if (file.Contains($"step{step}_noise0"))
                AssertBitExact($"{run}/step{step}_noise0", file.ReadF32($"step{step}_noise0"), stepNoise.Randn(file.Shape($"step{step}_noise0")));
            if (file.Contains($"step{step}_variance_noise"))
                AssertBitExact($"{run}/step{step}_variance_noise", file.ReadF32($"step{step}_variance_noise"), varianceNoise.Randn(file.Shape($"step{step}_variance_noise")));
        }
    }

    [SkippableFact]
    public void VaeWeightsAreRegeneratedFromSeed104()
    {
        // index.json "models.init": every parameter in named_parameters order from one CPU generator,
        // as torch.randn(shape) * std + mean in float32 (norm weights mean 1 std 0.1, norm biases std 0.05,
        // other >= 2-D weights std 1/sqrt(fan_in), other biases std 0.05). 156 tensors, including 3-, 4- and
        // 8-element biases that take the double-precision path and its cached value across tensors.
        var names = new List<string>();
        void Param(string module) { names.Add(module + ".weight"); names.Add(module + ".bias"); }
        void Resnet(string prefix, bool shortcut)
        {
            foreach (string layer in new[] { "norm1", "conv1", "norm2", "conv2" })
                Param(prefix + layer);
            if (shortcut)
                Param(prefix + "conv_shortcut");
        }
        void MidBlock(string prefix)
        {
            // UNetMidBlock2D registers its attentions before its resnets.
            foreach (string layer in new[] { "group_norm", "to_q", "to_k", "to_v", "to_out.0" })
                Param(prefix + "attentions.0." + layer);
            Resnet(prefix + "resnets.0.", false);
            Resnet(prefix + "resnets.1.", false);
        }
        // Encoder and Decoder register their (then empty) block lists before mid_block.
        Param("encoder.conv_in");
        Resnet("encoder.down_blocks.0.resnets.0.", false);
        Resnet("encoder.down_blocks.0.resnets.1.", false);
        Param("encoder.down_blocks.0.downsamplers.0.conv");
        Resnet("encoder.down_blocks.1.resnets.0.", true);
        Resnet("encoder.down_blocks.1.resnets.1.", false);
        MidBlock("encoder.mid_block.");
        Param("encoder.conv_norm_out");
        Param("encoder.conv_out");
        Param("decoder.conv_in");
        for (int r = 0; r < 3; r++)
            Resnet($"decoder.up_blocks.0.resnets.{r}.", false);
        Param("decoder.up_blocks.0.upsamplers.0.conv");
        for (int r = 0; r < 3; r++)
            Resnet($"decoder.up_blocks.1.resnets.{r}.", r == 0);
        MidBlock("decoder.mid_block.");
        Param("decoder.conv_norm_out");
        Param("decoder.conv_out");
        Param("quant_conv");
        Param("post_quant_conv");

        AssertModelRegenerated("reference/tiny-sd/vae/diffusion_pytorch_model.safetensors", 104, names, embeddingStd: 0f);
    }

    [SkippableFact]
    public void TextEncoderWeightsAreRegeneratedFromSeed105()
    {
        // CLIPTextModel registration order; the 37-element fc1 biases are a ragged size on the block path.
        var names = new List<string> { "text_model.embeddings.token_embedding.weight", "text_model.embeddings.position_embedding.weight" };
        for (int layer = 0; layer < 5; layer++)
            foreach (string module in new[] { "self_attn.k_proj", "self_attn.v_proj", "self_attn.q_proj", "self_attn.out_proj",
                "layer_norm1", "mlp.fc1", "mlp.fc2", "layer_norm2" })
            {
                names.Add($"text_model.encoder.layers.{layer}.{module}.weight");
                names.Add($"text_model.encoder.layers.{layer}.{module}.bias");
            }
        names.Add("text_model.final_layer_norm.weight");
        names.Add("text_model.final_layer_norm.bias");

        AssertModelRegenerated("reference/tiny-sd/text_encoder/model.safetensors", 105, names, embeddingStd: 0.1f);
    }

    private static void AssertModelRegenerated(string relativePath, ulong seed, List<string> names, float embeddingStd)
    {
        var file = TestSafetensors.Open(SharedData.Require(relativePath));
        Assert.Equal(file.Names.Order(), names.Order());
        var generator = new TorchGenerator(seed);
        foreach (string name in names)
        {
            float[] expected = file.ReadF32(name);
            int[] shape = file.Shape(name);
            bool isNorm = name.Contains("norm");
            bool isWeight = name.EndsWith(".weight", StringComparison.Ordinal);
            float mean = isNorm && isWeight ? 1f : 0f;
            float std = name.Contains("embedding") ? embeddingStd
                : isNorm ? (isWeight ? 0.1f : 0.05f)
                : shape.Length >= 2 ? (float)(1.0 / Math.Sqrt(expected.Length / shape[0]))
                : 0.05f;
            float[] actual = generator.Randn(shape);
            for (int i = 0; i < actual.Length; i++)
                actual[i] = actual[i] * std + mean;
            AssertBitExact($"{relativePath}:{name}", expected, actual);
        }
    }

    private static TestSafetensors Open(string relativePath) => TestSafetensors.Open(SharedData.Require(Expected + relativePath));

    private static void AssertBitExact(string what, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        int mismatches = 0, first = -1;
        double maxAbsDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]))
                continue;
            mismatches++;
            if (first < 0)
                first = i;
            maxAbsDiff = Math.Max(maxAbsDiff, Math.Abs((double)expected[i] - actual[i]));
        }
        Assert.True(mismatches == 0,
            $"{what}: {mismatches} of {expected.Length} elements differ from PyTorch (max abs diff {maxAbsDiff:g3}); first at {first}: expected {(first >= 0 ? expected[first] : 0)}, got {(first >= 0 ? actual[first] : 0)}.");
    }
}
