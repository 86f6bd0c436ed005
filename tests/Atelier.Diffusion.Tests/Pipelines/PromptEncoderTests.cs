using Atelier.Diffusion.Pipelines;
using Atelier.Tensors;

namespace Atelier.Diffusion.Tests.Pipelines;

/// <summary>encode_prompt's batch layout and clip skip, against the text encoder called directly.</summary>
public class PromptEncoderTests
{
    private static float[] Direct(StableDiffusionModel model, string text, int clipSkip)
    {
        int length = model.Tokenizer.MaxLength;
        long[] ids = model.Tokenizer.EncodeForModel(text, length).InputIds.Select(i => (long)i).ToArray();
        return model.TextEncoder.EncodePrompt(Tensor.FromArray(ids, [1, length]), clipSkip).ToFloatArray();
    }

    private static float[] Row(Tensor x, int row) => x.Narrow(0, row, 1).ToFloatArray();

    [SkippableFact]
    public void Guidance_puts_negatives_first_and_repeats_each_prompt_for_its_images()
    {
        var model = TinyModels.Folder;
        using var scope = TensorScope.Begin();
        var result = PromptEncoder.Encode(model, ["a fox", "a horse"], ["blurry"], imagesPerPrompt: 2, guidance: true, clipSkip: 0);
        Assert.Equal([8, model.Tokenizer.MaxLength, model.TextEncoder.Config.HiddenSize], result.Embeddings.Shape.ToArray());
        float[] negative = Direct(model, "blurry", 0), fox = Direct(model, "a fox", 0), horse = Direct(model, "a horse", 0);
        float[][] expected = [negative, negative, negative, negative, fox, fox, horse, horse];
        for (int r = 0; r < expected.Length; r++)
            Assert.Equal(expected[r], Row(result.Embeddings, r));
        Assert.Empty(result.Warnings);
    }

    [SkippableFact]
    public void Clip_skip_applies_to_the_prompts_only_as_in_diffusers()
    {
        var model = TinyModels.Folder;
        using var scope = TensorScope.Begin();
        var result = PromptEncoder.Encode(model, ["a fox"], null, imagesPerPrompt: 1, guidance: true, clipSkip: 1);
        Assert.Equal(Direct(model, "", 0), Row(result.Embeddings, 0));
        float[] skipped = Direct(model, "a fox", 1);
        Assert.Equal(skipped, Row(result.Embeddings, 1));
        Assert.NotEqual(Direct(model, "a fox", 0), skipped);
    }

    [SkippableFact]
    public void A_long_prompt_is_truncated_with_a_warning_naming_the_dropped_text()
    {
        var model = TinyModels.Folder;
        string prompt = string.Join(' ', Enumerable.Repeat("horse", 80)) + " zebra";
        using var scope = TensorScope.Begin();
        var result = PromptEncoder.Encode(model, [prompt], null, 1, guidance: false, clipSkip: 0);
        string warning = Assert.Single(result.Warnings);
        Assert.Contains("truncated", warning, StringComparison.Ordinal);
        Assert.Contains("zebra", warning, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Clip_skip_beyond_the_layers_is_refused()
    {
        var model = TinyModels.Folder;
        int layers = model.TextEncoder.Config.NumHiddenLayers;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PromptEncoder.Encode(model, ["a"], null, 1, false, layers + 1));
        Assert.Contains($"clip skip must be in [0, {layers}]", e.Message, StringComparison.Ordinal);
    }
}
