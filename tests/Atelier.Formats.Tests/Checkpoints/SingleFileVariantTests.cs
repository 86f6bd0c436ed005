using System.IO.Compression;
using Atelier.Formats.Checkpoints;
using Atelier.Formats.Safetensors;
using Atelier.Formats.Tests.Safetensors;
using Atelier.TestSupport;

namespace Atelier.Formats.Tests.Checkpoints;

/// <summary>
/// Single files as they come in the wild, built from the tiny fixture: EMA copies, DDPM buffers, prediction-type
/// hints, SD 2.x OpenCLIP towers, and keys that do not belong.
/// </summary>
public sealed class SingleFileVariantTests
{
    private static readonly CheckpointOptions Hints = SingleFileCheckpointTests.TinyHints;

    private static List<RawTensor> TinyTensors()
    {
        using var file = SafetensorsFile.Open(SharedData.Require("reference/tiny-sd-original/tiny-sd.safetensors"));
        return [.. file.Tensors.Select(i => new RawTensor(i.Name, i.DType, i.ShapeArray(), file.GetSpan(i).ToArray()))];
    }

    private static RawTensor Scalar(string name) => new(name, SafetensorsDType.F32, [], LdmTestFiles.Floats(0.5f));

    [SkippableFact]
    public void Ema_weights_are_preferred_and_training_leftovers_are_ignored_with_a_report()
    {
        var tiny = TinyTensors();
        var ema = tiny.Where(t => t.Name.StartsWith("model.diffusion_model.", StringComparison.Ordinal))
            .Select(t => t with { Name = "model_ema." + t.Name["model.".Length..].Replace(".", ""), Bytes = new byte[t.Bytes.Length] });
        var positionIds = new RawTensor("cond_stage_model.transformer.text_model.embeddings.position_ids", SafetensorsDType.I64, [1, 77], new byte[77 * 8]);
        var extras = new[]
        {
            new RawTensor("betas", SafetensorsDType.F32, [4], new byte[16]), new RawTensor("alphas_cumprod", SafetensorsDType.F64, [4], new byte[32]),
            Scalar("model_ema.decay"), new RawTensor("model_ema.num_updates", SafetensorsDType.I32, [], new byte[4]),
            positionIds, Scalar("lora_unet_stray.alpha"),
        };
        using var temp = new TempDirectory();
        string path = temp.File("sd-with-ema.safetensors");
        LdmTestFiles.Write(path, tiny.Concat(ema).Concat(extras));
        using var folder = CheckpointSource.Open(SharedData.Require("reference/tiny-sd"));

        using (var preferred = CheckpointSource.Open(path, Hints))
        {
            Assert.Equal(EmaUsage.Used, preferred.Variant.Ema);
            var convIn = preferred.UNet!.Weights["conv_in.weight"];
            Assert.Equal("model_ema.diffusion_modelinput_blocks00weight", convIn.SourceKey);
            Assert.True(convIn.Span.IndexOfAnyExcept((byte)0) < 0);
            WeightAssert.Identical(folder.Vae!.Weights, preferred.Vae!.Weights);
            WeightAssert.Identical(folder.TextEncoder!.Weights, preferred.TextEncoder!.Weights);
            Assert.Contains("model.diffusion_model.input_blocks.0.0.weight", preferred.IgnoredKeys);
            Assert.Contains("betas", preferred.IgnoredKeys);
            Assert.Contains("model_ema.num_updates", preferred.IgnoredKeys);
            Assert.Contains("cond_stage_model.transformer.text_model.embeddings.position_ids", preferred.IgnoredKeys);
            Assert.Contains("lora_unet_stray.alpha", preferred.IgnoredKeys);
            Assert.Contains(preferred.Warnings, w => w.Contains("using the EMA UNet weights", StringComparison.Ordinal));
            Assert.Contains(preferred.Warnings, w => w.Contains("ignored 4 training buffers", StringComparison.Ordinal));
            Assert.Contains(preferred.Warnings, w => w.Contains("lora_unet_stray.alpha", StringComparison.Ordinal));
        }
        using (var raw = CheckpointSource.Open(path, Hints with { PreferEma = false }))
        {
            Assert.Equal(EmaUsage.Ignored, raw.Variant.Ema);
            WeightAssert.Identical(folder.UNet!.Weights, raw.UNet!.Weights);
            Assert.Contains("model_ema.diffusion_modelinput_blocks00weight", raw.IgnoredKeys);
        }
    }

    [SkippableFact]
    public void Incomplete_ema_weights_are_refused_naming_the_missing_twin()
    {
        var tiny = TinyTensors();
        var ema = tiny.Where(t => t.Name.StartsWith("model.diffusion_model.", StringComparison.Ordinal) && t.Name != "model.diffusion_model.out.2.bias")
            .Select(t => t with { Name = "model_ema." + t.Name["model.".Length..].Replace(".", "") });
        using var temp = new TempDirectory();
        string path = temp.File("partial-ema.safetensors");
        LdmTestFiles.Write(path, tiny.Concat(ema));

        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSource.Open(path, Hints));
        Assert.Equal("model_ema.diffusion_modelout2bias", error.Field);
        Assert.Contains("PreferEma = false", error.Message);
    }

    public static TheoryData<string> PredictionHints() => ["modelspec.prediction_type", "modelspec.architecture", "v_pred key", "sidecar yaml", "option"];

    [SkippableTheory]
    [MemberData(nameof(PredictionHints))]
    public void V_prediction_is_read_from_metadata_marker_keys_sidecar_yaml_or_the_option(string hint)
    {
        using var temp = new TempDirectory();
        string path = temp.File("model.safetensors");
        var tensors = TinyTensors();
        var metadata = new List<KeyValuePair<string, string>>();
        var options = Hints;
        switch (hint)
        {
            case "modelspec.prediction_type": metadata.Add(new(hint, "v")); break;
            case "modelspec.architecture": metadata.Add(new(hint, "stable-diffusion-v2-768-v")); break;
            case "v_pred key": tensors.Add(new RawTensor("v_pred", SafetensorsDType.F32, [0], [])); break;
            case "sidecar yaml": File.WriteAllText(temp.File("model.yaml"), "model:\n  params:\n    parameterization: \"v\"\n"); break;
            case "option": options = Hints with { PredictionType = "v_prediction" }; break;
        }
        LdmTestFiles.Write(path, tensors, metadata.Count > 0 ? metadata : null);

        using var source = CheckpointSource.Open(path, options);
        Assert.Equal("v_prediction", source.Variant.PredictionType);
        Assert.Equal("v_prediction", source.Scheduler.Config.PredictionType);
        Assert.DoesNotContain("default", source.Variant.PredictionTypeSource);
        if (hint == "v_pred key")
            Assert.Contains("v_pred", source.IgnoredKeys);
    }

    [SkippableFact]
    public void Epsilon_metadata_and_resolution_metadata_are_honoured()
    {
        using var temp = new TempDirectory();
        string path = temp.File("model.safetensors");
        LdmTestFiles.Write(path, TinyTensors(), [new("modelspec.prediction_type", "epsilon"), new("modelspec.resolution", "64x64")]);
        using var source = CheckpointSource.Open(path, new CheckpointOptions { TextAttentionHeads = 4 });
        Assert.Equal("epsilon", source.Variant.PredictionType);
        Assert.Equal("metadata modelspec.prediction_type", source.Variant.PredictionTypeSource);
        Assert.Equal(32, source.UNet!.Config.SampleSize);
        Assert.Equal(64, source.Vae!.Config.SampleSize);
    }

    [SkippableFact]
    public void Sd2_single_file_with_an_openclip_tower_maps_to_the_sd2_components()
    {
        string root = SharedData.Require("reference/tiny-sd");
        using var unet = DiffusersComponents.OpenUNet(Path.Combine(root, "unet_sd2"));
        using var text = DiffusersComponents.OpenTextEncoder(Path.Combine(root, "text_encoder"));
        var openClip = LdmTestFiles.TextToOpenClip(text.Weights, layers: 5).ToList();
        var projection = new RawTensor("cond_stage_model.model.text_projection", SafetensorsDType.F32, [32, 16],
            LdmTestFiles.Floats([.. Enumerable.Range(0, 32 * 16).Select(i => (float)i)]));
        var tensors = LdmTestFiles.UNetToLdm(unet.Weights, levels: 3, layers: 2, attention: [true, true, false])
            .Concat(TinyTensors().Where(t => t.Name.StartsWith("first_stage_model.", StringComparison.Ordinal)))
            .Concat(openClip)
            .Concat(LdmTestFiles.CopyResblock(openClip, from: 4, to: 5)) // SD 2.x files hold one more layer than they use
            .Append(projection)
            .Append(Scalar("cond_stage_model.model.logit_scale"));
        using var temp = new TempDirectory();
        string path = temp.File("sd2.safetensors");
        LdmTestFiles.Write(path, tensors);

        var hints = Hints with { UNetAttentionHeads = IntOrList.Of(2, 4, 4) };
        using (var source = CheckpointSource.Open(path, hints))
        {
            Assert.Equal(StableDiffusionFamily.V2, source.Variant.Family);
            Assert.Equal(unet.Config, source.UNet!.Config);
            WeightAssert.Identical(unet.Weights, source.UNet.Weights);
            WeightAssert.Identical(text.Weights, source.TextEncoder!.Weights);
            Assert.Equal(text.Config with { HiddenAct = "gelu", ProjectionDim = 16 }, source.TextEncoder.Config);
            var q = source.TextEncoder.Weights["text_model.encoder.layers.3.self_attn.k_proj.weight"];
            Assert.Equal(CheckpointTensorKind.RowSlice, q.Kind);
            Assert.Equal("cond_stage_model.model.transformer.resblocks.3.attn.in_proj_weight", q.SourceKey);
            Assert.Contains("cond_stage_model.model.transformer.resblocks.5.ln_1.weight", source.IgnoredKeys);
            Assert.Contains("cond_stage_model.model.text_projection", source.IgnoredKeys);
            Assert.Contains(source.Warnings, w => w.Contains("assuming epsilon", StringComparison.Ordinal));
            Assert.Contains(source.Warnings, w => w.Contains("penultimate", StringComparison.Ordinal));
        }

        using (var withProjection = CheckpointSource.Open(path, hints with { IncludeTextProjection = true, PredictionType = "v_prediction" }))
        {
            var weight = withProjection.TextEncoder!.Weights["text_projection.weight"];
            Assert.Equal(CheckpointTensorKind.Materialised, weight.Kind);
            Assert.Equal([16L, 32], weight.ShapeArray());
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weight.Span);
            Assert.Equal(1 * 16 + 3, values[3 * 32 + 1]); // weight[3, 1] = projection[1, 3]
            Assert.Equal(["CLIPTextModelWithProjection"], withProjection.TextEncoder.Config.Architectures!);
            Assert.DoesNotContain(withProjection.Warnings, w => w.Contains("assuming epsilon", StringComparison.Ordinal));
        }

        // 32-channel levels cannot have SD 2.x's 64-wide heads: the head counts must be given.
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSource.Open(path, Hints));
        Assert.Contains("UNetAttentionHeads", error.Message);
    }

    [SkippableFact]
    public void A_key_that_does_not_fit_the_unet_is_an_error_naming_it()
    {
        using var temp = new TempDirectory();
        string path = temp.File("odd.safetensors");
        LdmTestFiles.Write(path, TinyTensors().Append(Scalar("model.diffusion_model.input_blocks.1.0.in_layers.1.weight")));
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSource.Open(path, Hints));
        Assert.Equal("model.diffusion_model.input_blocks.1.0.in_layers.1.weight", error.Field);
        Assert.Contains("does not fit", error.Message);
    }

    [SkippableFact]
    public void Sdxl_files_are_refused()
    {
        using var temp = new TempDirectory();
        string path = temp.File("sdxl.safetensors");
        LdmTestFiles.Write(path, TinyTensors().Append(Scalar("conditioner.embedders.1.model.logit_scale")));
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSource.Open(path, Hints));
        Assert.Contains("SDXL", error.Message);
    }

    [SkippableFact]
    public void A_file_without_a_vae_loads_the_rest_and_says_so()
    {
        using var temp = new TempDirectory();
        string path = temp.File("no-vae.safetensors");
        LdmTestFiles.Write(path, TinyTensors().Where(t => !t.Name.StartsWith("first_stage_model.", StringComparison.Ordinal)));
        using var source = CheckpointSource.Open(path, Hints);
        Assert.Null(source.Vae);
        Assert.NotNull(source.UNet);
        Assert.Contains(source.Warnings, w => w.Contains("no VAE weights", StringComparison.Ordinal));
        Assert.Equal(8 * 8 / 8, source.UNet.Config.SampleSize); // without a VAE the SD scale factor 8 applies: 64 / 8
    }

    [Fact]
    public void A_safetensors_file_that_is_not_an_sd_checkpoint_is_explained()
    {
        using var temp = new TempDirectory();
        string path = temp.File("other.safetensors");
        LdmTestFiles.Write(path, [Scalar("conv_in.weight")]);
        var error = Assert.Throws<CheckpointFormatException>(() => CheckpointSource.Open(path));
        Assert.Contains("not an ldm single-file checkpoint", error.Message);
    }

    [Fact]
    public void A_pickle_ckpt_is_refused_by_the_checkpoint_entry_point()
    {
        using var temp = new TempDirectory();
        string path = temp.File("v1-5-pruned-emaonly.ckpt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("archive/data.pkl").Open()))
            writer.Write("pickle");
        var error = Assert.Throws<PickleCheckpointException>(() => CheckpointSource.Open(path));
        Assert.Contains("v1-5-pruned-emaonly.ckpt", error.Message);
        Assert.Contains("save_file", error.Message);
    }
}
