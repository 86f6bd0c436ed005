using System.Runtime.InteropServices;
using Atelier.Formats.Checkpoints;
using Atelier.Formats.Safetensors;
using Atelier.Models.Clip;
using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Models.Tests.Clip;

/// <summary>CLIP text encoder behaviour on seeded random weights (no fixtures needed).</summary>
public class ClipTextModelTests
{
    private const long Bos = 49406, Eos = 49407;

    private static ClipTextModel TinyModel(ClipTextConfig? config = null, bool withProjection = false, ulong seed = 11) =>
        RandomWeights.Initialize(new ClipTextModel(config ?? ClipTextPresets.Tiny, withProjection), seed);

    private static Tensor Ids(params long[][] rows) => Tensor.FromArray(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    [Fact]
    public void Presets_have_the_parameter_counts_of_the_real_towers()
    {
        // SD 1.x: 123,060,480, the count of transformers' CLIPTextModel for openai/clip-vit-large-patch14. SD 2.x:
        // 49408·1024 + 77·1024 + 23 layers · 12,596,224 + 2048 = 340,387,840.
        Assert.Equal(123_060_480, new ClipTextModel(ClipTextPresets.Sd15).ParameterCount);
        Assert.Equal(340_387_840, new ClipTextModel(ClipTextPresets.Sd2).ParameterCount);
    }

    [Fact]
    public void Legacy_config_pools_at_the_highest_id_and_others_at_the_first_end_of_text()
    {
        long[] padded = [Bos, 320, 1125, Eos, Eos, Eos];
        long[] bangPadded = [Bos, 320, Eos, 0, 0, 0];          // SD 2 tokenizer pads with "!" = 0
        long[] custom = [Bos, 320, Eos, 7, 7, 7];
        long[] none = [5, 320, 1125, 500, 11, 12];             // no end-of-text at all
        Tensor ids = Ids(padded, bangPadded, custom, none);

        Assert.Equal([3, 2, 2, 2], TinyModel(ClipTextPresets.Tiny with { EosTokenId = 2 }).EosPositions(ids));     // argmax(ids)
        Assert.Equal([3, 2, 2, 0], TinyModel(ClipTextPresets.Tiny with { EosTokenId = 49407 }).EosPositions(ids)); // first 49407, else 0
        Assert.Equal([0, 0, 3, 0], TinyModel(ClipTextPresets.Tiny with { EosTokenId = 7 }).EosPositions(ids));     // first 7, else 0
    }

    [Fact]
    public void Pooled_output_is_the_final_hidden_state_at_the_end_of_text_token()
    {
        var model = TinyModel();
        Tensor ids = Ids([Bos, 320, 1125, Eos, Eos, Eos, Eos], [Bos, 9, Eos, Eos, Eos, Eos, Eos]);
        var output = model.Forward(ids);
        Assert.Equal(output.LastHiddenState.Select(0, 0).Select(0, 3).ToFloatArray(), output.PooledOutput.Select(0, 0).ToFloatArray());
        Assert.Equal(output.LastHiddenState.Select(0, 1).Select(0, 2).ToFloatArray(), output.PooledOutput.Select(0, 1).ToFloatArray());
    }

    [Fact]
    public void A_token_changes_only_its_own_and_later_positions()
    {
        var model = TinyModel();
        Tensor a = model.Forward(Ids([Bos, 320, 1125, 518, Eos, Eos])).LastHiddenState;
        Tensor b = model.Forward(Ids([Bos, 320, 1125, 9999, Eos, Eos])).LastHiddenState;
        Assert.Equal(a.Narrow(1, 0, 3).ToFloatArray(), b.Narrow(1, 0, 3).ToFloatArray());            // causal: earlier positions untouched
        Assert.True(TensorAssert.MaxAbsDiff(a.Narrow(1, 3, 3), b.Narrow(1, 3, 3)) > 1e-3);          // later ones move
    }

    [Fact]
    public void Clip_skip_is_the_final_layer_norm_of_an_earlier_hidden_state()
    {
        var model = TinyModel();
        Tensor ids = Ids([Bos, 320, 1125, Eos, Eos]);
        var hidden = model.Forward(ids, outputHiddenStates: true).HiddenStates!;
        Assert.Equal(6, hidden.Count);
        for (int skip = 0; skip <= 5; skip++)
        {
            Tensor expected = model.TextModel.FinalLayerNorm.Forward(hidden[5 - skip]);
            TensorAssert.Close($"clip skip {skip}", expected, model.EncodePrompt(ids, skip), atol: 0, rtol: 0);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => model.EncodePrompt(ids, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.EncodePrompt(ids, -1));
    }

    [Theory]
    [InlineData("quick_gelu")]
    [InlineData("gelu")]
    [InlineData("gelu_new")]
    public void Mlp_applies_the_configured_activation(string act)
    {
        var mlp = RandomWeights.Initialize(new ClipMlp(ClipTextPresets.Tiny with { HiddenAct = act }), 5);
        Tensor x = Tensor.FromArray(new TorchGenerator(6).Randn(1, 3, 32), [1, 3, 32]);
        float[] pre = mlp.Fc1.Forward(x).ToFloatArray();
        float[] activated = pre.Select(v => (float)Activation(act, v)).ToArray();
        Tensor expected = mlp.Fc2.Forward(Tensor.FromArray(activated, [1, 3, 37]));
        TensorAssert.Close($"mlp ({act})", expected, mlp.Forward(x), atol: 1e-5, rtol: 1e-5);
    }

    private static double Activation(string act, double x) => act switch
    {
        "quick_gelu" => x / (1 + Math.Exp(-1.702 * x)),
        "gelu" => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        _ => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
    };

    // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), enough for a 1e-5 comparison.
    private static double Erf(double x)
    {
        double t = 1 / (1 + 0.3275911 * Math.Abs(x));
        double y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return Math.Sign(x) * y;
    }

    [Fact]
    public void Unknown_activation_and_bad_ids_are_refused_by_name()
    {
        Assert.Contains("\"relu\"", Assert.Throws<ArgumentException>(() => new ClipTextModel(ClipTextPresets.Tiny with { HiddenAct = "relu" })).Message);
        var model = TinyModel();
        Assert.Contains("max_position_embeddings (77)", Assert.Throws<TensorShapeException>(() => model.Forward(Tensor.Zeros([1, 78], DType.I64))).Message);
        Assert.Contains("I32 or I64", Assert.Throws<TensorDTypeException>(() => model.Forward(Tensor.Zeros([1, 77]))).Message);
        Assert.Contains("id 49408", Assert.Throws<TensorShapeException>(() => model.Forward(Ids([Bos, 49408, Eos]))).Message);
    }

    [Fact]
    public void Folder_with_projection_and_fp16_variant_loads_strictly_and_keeps_half_precision()
    {
        var source = TinyModel(withProjection: true, seed: 21);
        string folder = Directory.CreateTempSubdirectory("atelier-clip-").FullName;
        try
        {
            WriteFolder(folder, source, architecture: "CLIPTextModelWithProjection", variant: "fp16");
            var model = ClipTextModel.FromPretrained(folder, new CheckpointOptions { Variant = "fp16" });
            Assert.NotNull(model.TextProjection);
            Assert.All(model.NamedParameters(), p => Assert.Equal(DType.F16, p.Value.Value.DType));

            var output = model.Forward(Ids([Bos, 320, 1125, Eos, Eos]));
            Assert.NotNull(output.TextEmbeds);
            Assert.Equal(new Shape(1, 32), output.TextEmbeds!.Shape);
            TensorAssert.Close("text_embeds", output.PooledOutput.Linear(model.TextProjection!.Weight.Value), output.TextEmbeds, atol: 0, rtol: 0);
            var reference = source.Forward(Ids([Bos, 320, 1125, Eos, Eos]));
            TensorAssert.Close("text_embeds vs fp32 weights", reference.TextEmbeds!, output.TextEmbeds, atol: 2e-2, rtol: 0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Weights_that_do_not_fit_are_named()
    {
        var source = TinyModel(withProjection: true, seed: 22);
        string folder = Directory.CreateTempSubdirectory("atelier-clip-").FullName;
        try
        {
            // The config says CLIPTextModel, the file holds a projection: strict loading names the stray tensor.
            WriteFolder(folder, source, architecture: "CLIPTextModel", variant: null);
            var error = Assert.Throws<WeightLoadException>(() => ClipTextModel.FromPretrained(folder));
            Assert.Equal(["text_projection.weight [32, 32]"], error.Unexpected);
            Assert.Contains(folder, error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void WriteFolder(string folder, ClipTextModel model, string architecture, string? variant)
    {
        var c = model.Config;
        File.WriteAllText(Path.Combine(folder, "config.json"), $$"""
            {
              "architectures": ["{{architecture}}"], "model_type": "clip_text_model", "hidden_act": "{{c.HiddenAct}}",
              "hidden_size": {{c.HiddenSize}}, "intermediate_size": {{c.IntermediateSize}}, "num_attention_heads": {{c.NumAttentionHeads}},
              "num_hidden_layers": {{c.NumHiddenLayers}}, "projection_dim": {{c.ProjectionDim}}, "vocab_size": {{c.VocabSize}},
              "max_position_embeddings": {{c.MaxPositionEmbeddings}}, "layer_norm_eps": 1e-05, "bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 1
            }
            """);
        bool half = variant == "fp16";
        var tensors = model.NamedParameters().Select(p =>
        {
            float[] values = p.Value.Value.ToFloatArray();
            byte[] bytes = half
                ? MemoryMarshal.AsBytes(values.Select(v => (Half)v).ToArray().AsSpan()).ToArray()
                : MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            var spec = new SafetensorsTensorSpec(p.Key, half ? SafetensorsDType.F16 : SafetensorsDType.F32, p.Value.Shape.ToArray());
            return (spec, (ReadOnlyMemory<byte>)bytes);
        });
        string name = variant is null ? "model.safetensors" : $"model.{variant}.safetensors";
        SafetensorsWriter.Write(Path.Combine(folder, name), tensors, [new("format", "pt")]);
    }
}
