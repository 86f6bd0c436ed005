using Atelier.Formats.Checkpoints;
using Atelier.Formats.Safetensors;
using Atelier.TestSupport;

namespace Atelier.Formats.Tests.Checkpoints;

/// <summary>The single-file (ldm) fixtures map onto exactly the diffusers-layout fixtures of the same model.</summary>
public sealed class SingleFileCheckpointTests
{
    /// <summary>What the tiny model's shapes cannot say: it was trained (randomised) at 64 px and has 4 text heads.</summary>
    internal static readonly CheckpointOptions TinyHints = new() { ImageSize = 64, TextAttentionHeads = 4 };

    [SkippableFact]
    public void Single_file_and_diffusers_folder_give_identical_tensors()
    {
        using var single = CheckpointSource.Open(SharedData.Require("reference/tiny-sd-original/tiny-sd.safetensors"), TinyHints);
        using var folder = CheckpointSource.Open(SharedData.Require("reference/tiny-sd"));

        Assert.Equal(CheckpointLayout.SingleFile, single.Layout);
        Assert.Equal(CheckpointLayout.DiffusersFolder, folder.Layout);
        WeightAssert.Identical(folder.UNet!.Weights, single.UNet!.Weights);
        WeightAssert.Identical(folder.Vae!.Weights, single.Vae!.Weights);
        WeightAssert.Identical(folder.TextEncoder!.Weights, single.TextEncoder!.Weights);
        Assert.Empty(single.IgnoredKeys);
    }

    [SkippableFact]
    public void Configs_inferred_from_shapes_equal_the_folder_configs()
    {
        using var single = CheckpointSource.Open(SharedData.Require("reference/tiny-sd-original/tiny-sd.safetensors"), TinyHints);
        string root = SharedData.Require("reference/tiny-sd");

        Assert.Equal(UNet2DConditionConfig.Load(Path.Combine(root, "unet", "config.json")).Config, single.UNet!.Config);
        Assert.Equal(AutoencoderKLConfig.Load(Path.Combine(root, "vae", "config.json")).Config, single.Vae!.Config);
        Assert.Equal(ClipTextConfig.Load(Path.Combine(root, "text_encoder", "config.json")).Config, single.TextEncoder!.Config);
        Assert.Equal(SchedulerConfig.Load(Path.Combine(root, "scheduler", "scheduler_config.json")).Config, single.Scheduler.Config);
    }

    [SkippableFact]
    public void Variant_of_the_tiny_single_file()
    {
        using var single = CheckpointSource.Open(SharedData.Require("reference/tiny-sd-original/tiny-sd.safetensors"), TinyHints);
        var v = single.Variant;
        Assert.Equal(StableDiffusionFamily.V1, v.Family);
        Assert.False(v.IsInpainting);
        Assert.Equal("epsilon", v.PredictionType);
        Assert.StartsWith("default", v.PredictionTypeSource);
        Assert.Equal(EmaUsage.Absent, v.Ema);
        Assert.Null(single.Tokenizer);
        Assert.Null(single.ModelIndex);
    }

    [SkippableFact]
    public void Without_hints_the_non_inferable_values_follow_the_documented_rules()
    {
        string path = SharedData.Require("reference/tiny-sd-original/tiny-sd.safetensors");
        // 32-wide text encoder: no 64-wide heads, so the head count must be given.
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSource.Open(path));
        Assert.Contains("TextAttentionHeads", error.Message);
        Assert.Contains("32 wide", error.Message);

        using var single = CheckpointSource.Open(path, new CheckpointOptions { TextAttentionHeads = 4 });
        var folderUNet = UNet2DConditionConfig.Load(SharedData.Require("reference/tiny-sd/unet/config.json")).Config;
        // Image size defaults to SD's 512 px: sample_size 512 / 2 for this 2-level VAE; everything else is inferred.
        Assert.Equal(256, single.UNet!.Config.SampleSize);
        Assert.Equal(folderUNet, single.UNet.Config with { SampleSize = folderUNet.SampleSize });
        Assert.Equal(512, single.Vae!.Config.SampleSize);
        Assert.Contains(single.Warnings, w => w.Contains("attention_head_dim", StringComparison.Ordinal) && w.Contains("SD 1.x convention", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Fp16_inpainting_single_file_is_the_fp32_folder_rounded_to_half()
    {
        string root = SharedData.Require("reference/tiny-sd");
        using var single = CheckpointSource.Open(SharedData.Require("reference/tiny-sd-original/tiny-sd-inpaint.fp16.safetensors"), TinyHints);
        using var unet = DiffusersComponents.OpenUNet(Path.Combine(root, "unet_inpaint"));
        using var vae = DiffusersComponents.OpenVae(Path.Combine(root, "vae"));
        using var text = DiffusersComponents.OpenTextEncoder(Path.Combine(root, "text_encoder"));

        Assert.True(single.Variant.IsInpainting);
        Assert.Equal(unet.Config, single.UNet!.Config);
        Assert.Equal(vae.Config, single.Vae!.Config);
        Assert.Equal(text.Config with { TorchDtype = "float16" }, single.TextEncoder!.Config);
        WeightAssert.IsHalfOf(unet.Weights, single.UNet.Weights);
        WeightAssert.IsHalfOf(vae.Weights, single.Vae.Weights);
        WeightAssert.IsHalfOf(text.Weights, single.TextEncoder.Weights);
        Assert.Equal(Atelier.Tensors.DType.F16, single.UNet.Weights["conv_in.weight"].DType);
    }

    [SkippableFact]
    public void Mapped_tensors_are_views_onto_the_file()
    {
        using var single = CheckpointSource.Open(SharedData.Require("reference/tiny-sd-original/tiny-sd.safetensors"), TinyHints);
        var all = single.UNet!.Weights.Tensors.Concat(single.Vae!.Weights.Tensors).Concat(single.TextEncoder!.Weights.Tensors).ToList();
        Assert.All(all, t => Assert.IsType<MappedFile>(t.Storage));
        Assert.All(all, t => Assert.NotEqual(CheckpointTensorKind.Materialised, t.Kind));
        var toQ = single.Vae.Weights["encoder.mid_block.attentions.0.to_q.weight"];
        Assert.Equal(CheckpointTensorKind.Reshaped, toQ.Kind);
        Assert.Equal("first_stage_model.encoder.mid.attn_1.q.weight", toQ.SourceKey);
        Assert.Equal([64L, 64], toQ.ShapeArray());
        var conv1 = single.UNet.Weights["down_blocks.0.resnets.1.conv1.weight"];
        Assert.Equal("model.diffusion_model.input_blocks.2.0.in_layers.2.weight", conv1.SourceKey);
    }

    [SkippableFact]
    public unsafe void A_leased_tensor_outlives_the_source()
    {
        var single = CheckpointSource.Open(SharedData.Require("reference/tiny-sd-original/tiny-sd.safetensors"), TinyHints);
        var tensor = single.UNet!.Weights["conv_in.weight"];
        byte[] expected = tensor.Span.ToArray();
        var lease = tensor.Storage.Retain();
        single.Dispose();
        Assert.Equal(expected, new ReadOnlySpan<byte>(tensor.Pointer, expected.Length).ToArray());
        lease.Dispose();
        Assert.Throws<ObjectDisposedException>(() => tensor.Span.Length);
    }
}
