using Atelier.Formats.Checkpoints;
using Atelier.Formats.Safetensors;
using Atelier.Models.Clip;
using Atelier.Tensors;
using Atelier.TestSupport;

namespace Atelier.Models.Tests.Clip;

/// <summary>
/// Parity with transformers' CLIPTextModel on the tiny fixture (reference/tiny-sd-expected §b): 6 prompts, every
/// hidden state, the pooled output and diffusers' clip-skip prompt embeddings, atol 1e-5 / rtol 1e-4.
/// </summary>
public class ClipTextModelReferenceTests
{
    private const double Atol = 1e-5, Rtol = 1e-4;
    private static readonly string[] s_axes = ["prompt", "position", "channel"];

    internal static readonly CheckpointOptions TinySingleFile = new() { ImageSize = 64, TextAttentionHeads = 4 };

    [SkippableFact]
    public void Diffusers_folder_matches_every_reference_output()
    {
        var model = ClipTextModel.FromPretrained(SharedData.Require("reference/tiny-sd/text_encoder"));
        AssertMatchesReference(model);
    }

    [SkippableFact]
    public void Single_file_matches_every_reference_output()
    {
        using var source = CheckpointSource.Open(SharedData.Require("reference/tiny-sd-original/tiny-sd.safetensors"), TinySingleFile);
        var model = ClipTextModel.Load(source);
        AssertMatchesReference(model);
    }

    [SkippableFact]
    public void Half_precision_single_file_keeps_its_weights_half_and_stays_near_the_reference()
    {
        using var source = CheckpointSource.Open(SharedData.Require("reference/tiny-sd-original/tiny-sd-inpaint.fp16.safetensors"), TinySingleFile);
        var model = ClipTextModel.Load(source);
        Assert.All(model.NamedParameters(), p => Assert.Equal(DType.F16, p.Value.Value.DType));

        using var expected = SafetensorsFile.Open(SharedData.Require("reference/tiny-sd-expected/text_encoder.safetensors"));
        var reference = expected.ToTensors();
        var output = model.Forward(reference["input_ids"]);
        // The fixture was computed with the fp32 weights; fp16 rounding (2^-11 relative per weight) moves these
        // outputs (std ~1) by up to 9e-3 (measured). A wrong layer or a misread tensor moves them by 0.1 or more.
        TensorAssert.Close("last_hidden_state (fp16 weights)", reference["last_hidden_state"], output.LastHiddenState, atol: 2e-2, rtol: 0, s_axes);
    }

    private static void AssertMatchesReference(ClipTextModel model)
    {
        using var expected = SafetensorsFile.Open(SharedData.Require("reference/tiny-sd-expected/text_encoder.safetensors"));
        var reference = expected.ToTensors();
        Tensor ids = reference["input_ids"];   // [6, 77] I64

        Assert.Equal(reference["eos_position"].ToArray<long>().Select(p => (int)p), model.EosPositions(ids));
        TensorAssert.Close("embeddings", reference["embeddings"], model.TextModel.Embeddings.Forward(ids), Atol, Rtol, s_axes);

        var output = model.Forward(ids, outputHiddenStates: true);
        Assert.NotNull(output.HiddenStates);
        var hiddenStates = output.HiddenStates!;
        Tensor expectedHidden = reference["hidden_states"];   // [layers + 1, 6, 77, D]
        Assert.Equal(expectedHidden.Shape[0], hiddenStates.Count);
        for (int i = 0; i < hiddenStates.Count; i++)
            TensorAssert.Close($"hidden_states[{i}]", expectedHidden.Select(0, i), hiddenStates[i], Atol, Rtol, s_axes);
        TensorAssert.Close("last_hidden_state", reference["last_hidden_state"], output.LastHiddenState, Atol, Rtol, s_axes);
        TensorAssert.Close("pooler_output", reference["pooler_output"], output.PooledOutput, Atol, Rtol, "prompt", "channel");
        TensorAssert.Close("hidden_states_penultimate", reference["hidden_states_penultimate"], hiddenStates[^2], Atol, Rtol, s_axes);
        Assert.Null(output.TextEmbeds);

        TensorAssert.Close("prompt embeds, clip skip 0", reference["last_hidden_state"], model.EncodePrompt(ids), Atol, Rtol, s_axes);
        TensorAssert.Close("penultimate_final_ln (clip skip 1)", reference["penultimate_final_ln"], model.EncodePrompt(ids, clipSkip: 1), Atol, Rtol, s_axes);
        TensorAssert.Close("encode_prompt_clip_skip_2", reference["encode_prompt_clip_skip_2"], model.EncodePrompt(ids, clipSkip: 2), Atol, Rtol, s_axes);
    }
}
