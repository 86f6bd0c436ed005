using System.Text.Json;
using Atelier.Formats.Checkpoints;
using Atelier.Formats.Tests.Safetensors;
using Atelier.TestSupport;

namespace Atelier.Formats.Tests.Checkpoints;

public sealed class ConfigTests
{
    [SkippableFact]
    public void Tiny_unet_config_parses_with_no_unknown_fields()
    {
        var loaded = UNet2DConditionConfig.Load(SharedData.Require("reference/tiny-sd/unet/config.json"));
        var c = loaded.Config;
        Assert.Empty(loaded.UnknownFields);
        Assert.Empty(loaded.Warnings);
        Assert.Equal(new[] { 32, 64 }, c.BlockOutChannels);
        Assert.Equal(new[] { "CrossAttnDownBlock2D", "DownBlock2D" }, c.DownBlockTypes);
        Assert.Equal(new[] { "UpBlock2D", "CrossAttnUpBlock2D" }, c.UpBlockTypes);
        Assert.Equal(IntOrList.Of(8), c.AttentionHeadDim);
        Assert.Equal([8, 8], c.HeadsPerBlock());
        Assert.Equal(IntOrList.Of(32), c.CrossAttentionDim);
        Assert.Equal(IntOrList.Of(2), c.LayersPerBlock);
        Assert.Equal(32, c.SampleSize);
        Assert.Equal(4, c.InChannels);
        Assert.False(c.UseLinearProjection);
        Assert.True(c.FlipSinToCos);
        Assert.Equal(0, c.FreqShift);
        Assert.Equal(1e-5, c.NormEps);
        Assert.Null(c.NumAttentionHeads);
        Assert.Null(c.TimeEmbeddingDim);
    }

    [SkippableFact]
    public void Sd2_unet_config_keeps_the_per_block_head_list()
    {
        var c = UNet2DConditionConfig.Load(SharedData.Require("reference/tiny-sd/unet_sd2/config.json")).Config;
        Assert.Equal(IntOrList.Of(2, 4, 4), c.AttentionHeadDim);
        Assert.Null(c.AttentionHeadDim.Scalar);
        Assert.Equal([2, 4, 4], c.HeadsPerBlock());
        Assert.True(c.UseLinearProjection);
        Assert.True(c.UpcastAttention);
        Assert.Equal(new[] { 32, 64, 64 }, c.BlockOutChannels);
    }

    [SkippableFact]
    public void Inpaint_unet_takes_nine_channels()
    {
        var c = UNet2DConditionConfig.Load(SharedData.Require("reference/tiny-sd/unet_inpaint/config.json")).Config;
        Assert.Equal(9, c.InChannels);
        Assert.Equal(4, c.OutChannels);
    }

    [SkippableFact]
    public void Vae_config_parses()
    {
        var loaded = AutoencoderKLConfig.Load(SharedData.Require("reference/tiny-sd/vae/config.json"));
        var c = loaded.Config;
        Assert.Empty(loaded.Warnings);
        Assert.Equal(0.18215, c.ScalingFactor);
        Assert.Equal(2, c.SpatialScaleFactor);
        Assert.Equal(4, c.LatentChannels);
        Assert.Equal(64, c.SampleSize);
        Assert.Equal(2, c.LayersPerBlock);
        Assert.Null(c.LatentsMean);
        Assert.Null(c.ShiftFactor);
        Assert.True(c.ForceUpcast);
    }

    [SkippableFact]
    public void Text_encoder_config_parses()
    {
        var loaded = ClipTextConfig.Load(SharedData.Require("reference/tiny-sd/text_encoder/config.json"));
        var c = loaded.Config;
        Assert.Empty(loaded.Warnings);
        Assert.Equal(32, c.HiddenSize);
        Assert.Equal(5, c.NumHiddenLayers);
        Assert.Equal(4, c.NumAttentionHeads);
        Assert.Equal(37, c.IntermediateSize);
        Assert.Equal(49408, c.VocabSize);
        Assert.Equal(77, c.MaxPositionEmbeddings);
        Assert.Equal("quick_gelu", c.HiddenAct);
        Assert.Equal(2, c.EosTokenId);
        Assert.Equal(0, c.BosTokenId);
        Assert.Equal(1, c.PadTokenId);
        Assert.Equal(32, c.ProjectionDim);
        Assert.Equal(1e-5, c.LayerNormEps);
        Assert.Equal("float32", c.TorchDtype);
    }

    [SkippableFact]
    public void Scheduler_config_is_sd15s()
    {
        var loaded = SchedulerConfig.Load(SharedData.Require("reference/tiny-sd/scheduler/scheduler_config.json"));
        // SD 1.5's config carries clip_sample, which PNDM does not take: reported, as diffusers logs it.
        Assert.Contains("'clip_sample'", Assert.Single(loaded.Warnings));
        Assert.Equal(SchedulerConfig.StableDiffusion15, loaded.Config);
        Assert.Equal("PNDMScheduler", loaded.Config.ClassName);
        Assert.Equal("leading", loaded.Config.TimestepSpacing);
        Assert.Null(loaded.Config.TrainedBetas);
    }

    [SkippableFact]
    public void Every_scheduler_run_config_of_the_fixtures_parses()
    {
        using var document = JsonDocument.Parse(PythonLiterals(File.ReadAllText(SharedData.Require("reference/tiny-sd-expected/schedulers.json"))));
        int count = 0;
        foreach (var run in document.RootElement.GetProperty("runs").EnumerateObject())
        {
            string className = run.Value.GetProperty("class").GetString()!;
            var config = run.Value.GetProperty("config");
            var withClass = JsonSerializer.SerializeToElement(
                new Dictionary<string, JsonElement> { ["_class_name"] = JsonSerializer.SerializeToElement(className) }
                    .Concat(config.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value))).ToDictionary());
            var loaded = SchedulerConfig.FromJson(withClass, run.Name);
            var c = loaded.Config;
            count++;

            Assert.Equal(className, c.ClassName);
            Assert.Equal(run.Name.EndsWith("v_prediction", StringComparison.Ordinal) ? "v_prediction" : "epsilon", c.PredictionType);
            Assert.Equal(0.00085, c.BetaStart);
            Assert.Equal("scaled_linear", c.BetaSchedule);
            Assert.Equal(1, c.StepsOffset);
            Assert.Equal("leading", c.TimestepSpacing);
            Assert.Empty(loaded.UnknownFields);
            // Fields carried over from PNDM's config by from_config are reported, exactly those the class does not take.
            var taken = SchedulerConfig.ClassParameters[className];
            var expected = config.EnumerateObject().Select(p => p.Name).Where(n => !taken.Contains(n)).Order().ToArray();
            var reported = loaded.Warnings.Select(w => w.Split('\'')[1]).Order().ToArray();
            Assert.Equal(expected, reported);
            if (className == "DPMSolverMultistepScheduler")
            {
                Assert.Equal(double.NegativeInfinity, c.LambdaMinClipped);
                Assert.Equal(run.Name.Contains("karras", StringComparison.Ordinal), c.UseKarrasSigmas);
                Assert.Equal("dpmsolver++", c.AlgorithmType);
                Assert.Null(c.VarianceType);
            }
            if (className == "EulerDiscreteScheduler")
            {
                Assert.Null(c.SigmaMin);
                Assert.Equal("discrete", c.TimestepType);
            }
            if (className == "LCMScheduler")
            {
                Assert.Equal(50, c.OriginalInferenceSteps);
                Assert.Equal(10.0, c.TimestepScaling);
            }
            if (className == "DDPMScheduler")
                Assert.Equal("fixed_small", c.VarianceType);
        }
        Assert.Equal(22, count);
    }

    [Theory]
    [InlineData("DDPMScheduler", "leading", true, false)]
    [InlineData("DDIMScheduler", "leading", true, true)]
    [InlineData("PNDMScheduler", "leading", false, false)]
    [InlineData("EulerDiscreteScheduler", "linspace", false, false)]
    [InlineData("DPMSolverMultistepScheduler", "linspace", false, false)]
    [InlineData("LCMScheduler", "leading", false, true)]
    public void Absent_scheduler_fields_take_the_class_defaults(string className, string spacing, bool clipSample, bool setAlphaToOne)
    {
        var c = Parse<SchedulerConfig>($"{{\"_class_name\":\"{className}\"}}", p => SchedulerConfig.Load(p)).Config;
        Assert.Equal(className, c.ClassName);
        Assert.Equal(spacing, c.TimestepSpacing);
        Assert.Equal(clipSample, c.ClipSample);
        Assert.Equal(setAlphaToOne, c.SetAlphaToOne);
        Assert.Equal(0, c.StepsOffset);
        Assert.Equal("epsilon", c.PredictionType);
    }

    [SkippableFact]
    public void Tokenizer_folder_parses()
    {
        var loaded = TokenizerConfig.Load(SharedData.Require("reference/tiny-sd/tokenizer"));
        var c = loaded.Config;
        Assert.Equal(77, c.ModelMaxLength);
        Assert.Equal("<|endoftext|>", c.PadToken);
        Assert.Equal("<|startoftext|>", c.BosToken);
        Assert.Equal("<|endoftext|>", c.EosToken);
        Assert.True(c.DoLowerCase);
        Assert.Equal("CLIPTokenizer", c.TokenizerClass);
        Assert.True(File.Exists(c.VocabFile));
        Assert.True(File.Exists(c.MergesFile));
        Assert.Empty(loaded.Warnings);
    }

    [Fact]
    public void Special_tokens_map_overrides_the_tokenizer_config_like_sd2s_bang_padding()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("tokenizer_config.json"), "{\"model_max_length\": 1000000000000000019884624838656, \"pad_token\": \"<|endoftext|>\", \"tokenizer_class\": \"CLIPTokenizer\"}");
        File.WriteAllText(temp.File("special_tokens_map.json"), "{\"pad_token\": \"!\", \"bos_token\": {\"content\": \"<|startoftext|>\", \"lstrip\": false}}");
        File.WriteAllText(temp.File("vocab.json"), "{}");
        File.WriteAllText(temp.File("merges.txt"), "#version: 0.2\n");
        var c = TokenizerConfig.Load(temp.Path).Config;
        Assert.Equal("!", c.PadToken);
        Assert.Equal("<|startoftext|>", c.BosToken);
        Assert.Null(c.ModelMaxLength); // transformers' "no limit"
    }

    [SkippableFact]
    public void Model_index_lists_components()
    {
        var loaded = ModelIndex.Load(SharedData.Require("reference/tiny-sd/model_index.json"));
        var index = loaded.Config;
        Assert.Equal("StableDiffusionPipeline", index.PipelineClass);
        Assert.Equal("0.30.3", index.DiffusersVersion);
        Assert.Equal(new ModelIndexComponent("unet", "diffusers", "UNet2DConditionModel"), index.Find("unet"));
        Assert.Equal(new ModelIndexComponent("text_encoder", "transformers", "CLIPTextModel"), index.Find("text_encoder"));
        Assert.False(index.Find("safety_checker")!.IsPresent);
        Assert.Empty(loaded.Warnings);
        Assert.True(loaded.UnknownFields.ContainsKey("requires_safety_checker"));
    }

    [Fact]
    public void A_wrong_type_names_the_file_the_field_and_the_expected_type()
    {
        var error = Assert.Throws<CheckpointFormatException>(() =>
            Parse("{\"_class_name\":\"UNet2DConditionModel\",\"in_channels\":\"4\"}", UNet2DConditionConfig.Load));
        Assert.Equal("in_channels", error.Field);
        Assert.Contains("config.json", error.Message);
        Assert.Contains("expected an integer", error.Message);
        Assert.Contains("the string \"4\"", error.Message);

        error = Assert.Throws<CheckpointFormatException>(() =>
            Parse("{\"_class_name\":\"UNet2DConditionModel\",\"attention_head_dim\":[8, \"x\"]}", UNet2DConditionConfig.Load));
        Assert.Contains("'attention_head_dim'", error.Message);
        Assert.Contains("an integer or a list of integers", error.Message);

        error = Assert.Throws<CheckpointFormatException>(() =>
            Parse("{\"_class_name\":\"AutoencoderKL\",\"scaling_factor\":null}", AutoencoderKLConfig.Load));
        Assert.Contains("'scaling_factor'", error.Message);
        Assert.Contains("expected a number, found null", error.Message);
    }

    [Fact]
    public void A_missing_required_field_is_an_error()
    {
        var error = Assert.Throws<CheckpointFormatException>(() => Parse("{\"in_channels\":4}", UNet2DConditionConfig.Load));
        Assert.Equal("_class_name", error.Field);
        Assert.Contains("required field is missing", error.Message);

        error = Assert.Throws<CheckpointFormatException>(() => Parse("{\"_class_name\":\"AutoencoderKL\"}", UNet2DConditionConfig.Load));
        Assert.Contains("expected \"UNet2DConditionModel\"", error.Message);
    }

    [Fact]
    public void Unknown_fields_are_kept_and_reported()
    {
        var loaded = Parse("{\"_class_name\":\"UNet2DConditionModel\",\"_diffusers_version\":\"0.99\",\"shiny_new_thing\":[1,2],\"block_out_channels\":[32,64,64,64]}",
            UNet2DConditionConfig.Load);
        Assert.Equal("[1,2]", loaded.UnknownFields["shiny_new_thing"].GetRawText());
        Assert.Single(loaded.Warnings);
        Assert.Contains("'shiny_new_thing'", loaded.Warnings[0]);
        Assert.DoesNotContain("_diffusers_version", loaded.UnknownFields.Keys);
    }

    [Fact]
    public void Inconsistent_block_lists_are_refused()
    {
        var error = Assert.Throws<CheckpointFormatException>(() =>
            Parse("{\"_class_name\":\"UNet2DConditionModel\",\"block_out_channels\":[32,64]}", UNet2DConditionConfig.Load));
        Assert.Equal("down_block_types", error.Field);
        error = Assert.Throws<CheckpointFormatException>(() => Parse(
            "{\"_class_name\":\"UNet2DConditionModel\",\"block_out_channels\":[32,64],\"down_block_types\":[\"A\",\"B\"],\"up_block_types\":[\"A\",\"B\"],\"attention_head_dim\":[1,2,3]}",
            UNet2DConditionConfig.Load));
        Assert.Equal("attention_head_dim", error.Field);
    }

    [Fact]
    public void Duplicate_fields_and_bad_json_are_refused()
    {
        var error = Assert.Throws<CheckpointFormatException>(() => Parse("{\"_class_name\":\"AutoencoderKL\",\"a\":1,\"a\":2}", AutoencoderKLConfig.Load));
        Assert.Contains("appears twice", error.Message);
        error = Assert.Throws<CheckpointFormatException>(() => Parse("{\"_class_name\":", AutoencoderKLConfig.Load));
        Assert.Contains("not valid JSON", error.Message);
        error = Assert.Throws<CheckpointFormatException>(() => Parse("[1]", AutoencoderKLConfig.Load));
        Assert.Contains("expected a JSON object", error.Message);
    }

    [Fact]
    public void Python_non_finite_literals_are_read_and_strings_left_alone()
    {
        var loaded = Parse("{\"_class_name\":\"DPMSolverMultistepScheduler\",\"lambda_min_clipped\":-Infinity,\"sigma_max\":NaN,\"sigma_min\":Infinity,\"note\":\"NaN -Infinity\"}",
            p => SchedulerConfig.Load(p));
        Assert.Equal(double.NegativeInfinity, loaded.Config.LambdaMinClipped);
        Assert.True(double.IsNaN(loaded.Config.SigmaMax!.Value));
        Assert.Equal(double.PositiveInfinity, loaded.Config.SigmaMin);
        Assert.Equal("NaN -Infinity", loaded.UnknownFields["note"].GetString());
    }

    private static LoadedConfig<T> Parse<T>(string json, Func<string, LoadedConfig<T>> load)
    {
        using var temp = new TempDirectory();
        string path = temp.File("config.json");
        File.WriteAllText(path, json);
        return load(path);
    }

    private static string PythonLiterals(string json) => json.Replace("-Infinity", "\"-Infinity\"", StringComparison.Ordinal);
}
