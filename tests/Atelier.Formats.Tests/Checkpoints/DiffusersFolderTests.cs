using System.IO.Compression;
using Atelier.Formats.Checkpoints;
using Atelier.Formats.Safetensors;
using Atelier.Formats.Tests.Safetensors;
using Atelier.TestSupport;

namespace Atelier.Formats.Tests.Checkpoints;

public sealed class DiffusersFolderTests
{
    [SkippableFact]
    public void Tiny_folder_opens_every_component()
    {
        string root = SharedData.Require("reference/tiny-sd");
        using var source = CheckpointSource.Open(root);

        Assert.Equal(CheckpointLayout.DiffusersFolder, source.Layout);
        Assert.Equal(304, source.UNet!.Weights.Count);
        Assert.Equal("unet", source.UNet.Name);
        Assert.Equal(new[] { 32, 64 }, source.Vae!.Config.BlockOutChannels);
        Assert.Equal(5, source.TextEncoder!.Config.NumHiddenLayers);
        Assert.Equal(77, source.Tokenizer!.Config.ModelMaxLength);
        Assert.Equal("PNDMScheduler", source.Scheduler.Config.ClassName);
        Assert.Equal(new StableDiffusionVariant(StableDiffusionFamily.V1, false, "epsilon",
            $"{Path.Combine(root, "scheduler", "scheduler_config.json")}: prediction_type", EmaUsage.Absent), source.Variant);
        Assert.Contains("'clip_sample'", Assert.Single(source.Warnings)); // PNDM does not take it; nothing else to report
        Assert.All(source.UNet.Weights.Tensors, t => Assert.Equal(CheckpointTensorKind.View, t.Kind));
    }

    [SkippableFact]
    public void Component_folders_outside_model_index_open_directly()
    {
        string root = SharedData.Require("reference/tiny-sd");
        using var sd2 = DiffusersComponents.OpenUNet(Path.Combine(root, "unet_sd2"));
        using var inpaint = DiffusersComponents.OpenUNet(Path.Combine(root, "unet_inpaint"));
        Assert.Equal([32L, 32], sd2.Weights["down_blocks.0.attentions.0.proj_in.weight"].ShapeArray());
        Assert.Equal(StableDiffusionFamily.V2, DiffusersFolder.Family(sd2.Config, null));
        Assert.Equal([32L, 9, 3, 3], inpaint.Weights["conv_in.weight"].ShapeArray());
    }

    [SkippableFact]
    public void The_prediction_type_option_overrides_the_scheduler_config()
    {
        using var source = CheckpointSource.Open(SharedData.Require("reference/tiny-sd"), new CheckpointOptions { PredictionType = "v_prediction" });
        Assert.True(source.Variant.IsVPrediction);
        Assert.Equal("v_prediction", source.Scheduler.Config.PredictionType);
        Assert.Contains(source.Warnings, w => w.Contains("overridden", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void A_lone_variant_is_used_with_a_note_and_several_need_a_choice()
    {
        using var temp = new TempDirectory();
        using var unet = DiffusersComponents.OpenUNet(SharedData.Require("reference/tiny-sd/unet"));
        File.Copy(SharedData.Require("reference/tiny-sd/unet/config.json"), temp.File("config.json"));
        LdmTestFiles.Write(temp.File("diffusion_pytorch_model.fp16.safetensors"), unet.Weights.Tensors.Select(t => RawTensor.From(t, t.Name)));

        using (var lone = DiffusersComponents.OpenUNet(temp.Path))
        {
            WeightAssert.Identical(unet.Weights, lone.Weights);
            Assert.Contains(lone.Warnings, w => w.Contains("only variant present, 'fp16'", StringComparison.Ordinal));
        }
        using (var chosen = DiffusersComponents.OpenUNet(temp.Path, new CheckpointOptions { Variant = "fp16" }))
            Assert.Empty(chosen.Warnings);

        File.Copy(temp.File("diffusion_pytorch_model.fp16.safetensors"), temp.File("diffusion_pytorch_model.ema.safetensors"));
        var error = Assert.Throws<CheckpointFormatException>(() => DiffusersComponents.OpenUNet(temp.Path));
        Assert.Contains("several variants (ema, fp16)", error.Message);
        error = Assert.Throws<CheckpointFormatException>(() => DiffusersComponents.OpenUNet(temp.Path, new CheckpointOptions { Variant = "bf16" }));
        Assert.Contains("diffusion_pytorch_model.bf16.safetensors", error.Message);
    }

    [SkippableFact]
    public void Sharded_weights_load_like_the_single_file()
    {
        using var temp = new TempDirectory();
        using var unet = DiffusersComponents.OpenUNet(SharedData.Require("reference/tiny-sd/unet"));
        File.Copy(SharedData.Require("reference/tiny-sd/unet/config.json"), temp.File("config.json"));
        var tensors = unet.Weights.Tensors.ToList();
        var first = tensors.Take(tensors.Count / 2).ToList();
        var second = tensors.Skip(tensors.Count / 2).ToList();
        const string shard1 = "diffusion_pytorch_model-00001-of-00002.safetensors", shard2 = "diffusion_pytorch_model-00002-of-00002.safetensors";
        LdmTestFiles.Write(temp.File(shard1), first.Select(t => RawTensor.From(t, t.Name)));
        LdmTestFiles.Write(temp.File(shard2), second.Select(t => RawTensor.From(t, t.Name)));
        WriteIndex(temp.File("diffusion_pytorch_model.safetensors.index.json"), first.Select(t => (t.Name, shard1)).Concat(second.Select(t => (t.Name, shard2))));

        using var sharded = DiffusersComponents.OpenUNet(temp.Path);
        WeightAssert.Identical(unet.Weights, sharded.Weights);

        WriteIndex(temp.File("diffusion_pytorch_model.safetensors.index.json"), first.Select(t => (t.Name, "../" + shard1)));
        var error = Assert.Throws<CheckpointFormatException>(() => DiffusersComponents.OpenUNet(temp.Path));
        Assert.Contains("plain file name", error.Message);

        WriteIndex(temp.File("diffusion_pytorch_model.safetensors.index.json"), first.Select(t => (t.Name, shard1)).Concat(second.Skip(1).Select(t => (t.Name, shard2))));
        error = Assert.Throws<CheckpointFormatException>(() => DiffusersComponents.OpenUNet(temp.Path));
        Assert.Equal(second[0].Name, error.Field);
        Assert.Contains("does not list it", error.Message);
    }

    [Fact]
    public void Pickle_weights_in_a_component_folder_are_refused()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("config.json"), "{\"_class_name\":\"AutoencoderKL\"}");
        using (var zip = ZipFile.Open(temp.File("diffusion_pytorch_model.bin"), ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("diffusion_pytorch_model/data.pkl").Open()))
            writer.Write("pickle");

        var error = Assert.Throws<PickleCheckpointException>(() => DiffusersComponents.OpenVae(temp.Path));
        Assert.Contains("diffusion_pytorch_model.bin", error.Message);
        Assert.Contains("arbitrary code", error.Message);

        File.WriteAllBytes(temp.File("diffusion_pytorch_model.bin"), [1, 2, 3]);
        var other = Assert.Throws<CheckpointFormatException>(() => DiffusersComponents.OpenVae(temp.Path));
        Assert.Contains("not safetensors", other.Message);
    }

    [SkippableFact]
    public void Legacy_vae_attention_names_and_conv_shapes_are_adapted()
    {
        using var temp = new TempDirectory();
        using var vae = DiffusersComponents.OpenVae(SharedData.Require("reference/tiny-sd/vae"));
        File.Copy(SharedData.Require("reference/tiny-sd/vae/config.json"), temp.File("config.json"));
        var legacy = vae.Weights.Tensors.Select(t =>
        {
            string name = t.Name.Replace(".to_q.", ".query.").Replace(".to_k.", ".key.").Replace(".to_v.", ".value.").Replace(".to_out.0.", ".proj_attn.");
            var raw = RawTensor.From(t, name);
            return name.EndsWith("query.weight", StringComparison.Ordinal) ? raw with { Shape = [.. t.ShapeArray(), 1, 1] } : raw;
        });
        LdmTestFiles.Write(temp.File("diffusion_pytorch_model.safetensors"), legacy);

        using var adapted = DiffusersComponents.OpenVae(temp.Path);
        WeightAssert.Identical(vae.Weights, adapted.Weights);
        Assert.Contains(adapted.Warnings, w => w.Contains("legacy attention name", StringComparison.Ordinal));
        Assert.Contains(adapted.Warnings, w => w.Contains("viewed as [64, 64]", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Old_transformers_position_ids_are_dropped()
    {
        using var temp = new TempDirectory();
        using var text = DiffusersComponents.OpenTextEncoder(SharedData.Require("reference/tiny-sd/text_encoder"));
        File.Copy(SharedData.Require("reference/tiny-sd/text_encoder/config.json"), temp.File("config.json"));
        byte[] ids = new byte[77 * 8];
        for (int i = 0; i < 77; i++)
            BitConverter.TryWriteBytes(ids.AsSpan(i * 8), (long)i);
        LdmTestFiles.Write(temp.File("model.safetensors"),
            text.Weights.Tensors.Select(t => RawTensor.From(t, t.Name)).Append(new RawTensor("text_model.embeddings.position_ids", SafetensorsDType.I64, [1, 77], ids)));

        using var loaded = DiffusersComponents.OpenTextEncoder(temp.Path);
        WeightAssert.Identical(text.Weights, loaded.Weights);
        Assert.Contains(loaded.Warnings, w => w.Contains("position_ids", StringComparison.Ordinal) && w.Contains("ignored", StringComparison.Ordinal));
    }

    [Fact]
    public void A_folder_without_model_index_is_explained()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("config.json"), "{}");
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSource.Open(temp.Path));
        Assert.Contains("model_index.json is missing", error.Message);
        Assert.Contains("DiffusersComponents.OpenUNet", error.Message);
    }

    [Fact]
    public void An_unexpected_component_class_is_refused()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("model_index.json"), "{\"_class_name\":\"StableDiffusionPipeline\",\"unet\":[\"diffusers\",\"UNet2DModel\"],\"scheduler\":[\"diffusers\",\"DDIMScheduler\"]}");
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSource.Open(temp.Path));
        Assert.Equal("unet", error.Field);
        Assert.Contains("UNet2DModel", error.Message);
    }

    private static void WriteIndex(string path, IEnumerable<(string Name, string Shard)> map)
    {
        var weightMap = map.ToDictionary(p => p.Name, p => p.Shard);
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = weightMap }));
    }
}
