using System.Text.Json.Nodes;
using Atelier.Diffusion.Generation;
using Atelier.Formats.Images;

namespace Atelier.Diffusion.Tests.Generation;

public class GenerationMetadataTests
{
    private static readonly GenerationParameters s_txt2img = new()
    {
        Mode = GenerationMode.TextToImage, Prompt = "a lighthouse at dusk", NegativePrompt = "blurry, low quality", Steps = 20,
        Sampler = "euler_a", GuidanceScale = 7.5, Seed = 1234, Width = 512, Height = 768, ModelName = "v1-5-pruned-emaonly",
        ModelHash = "6ce0161689",
    };

    [Fact]
    public void Parameters_text_is_written_as_automatic1111_writes_it()
    {
        Assert.Equal(
            "a lighthouse at dusk\nNegative prompt: blurry, low quality\n" +
            "Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 1234, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Version: Atelier",
            GenerationMetadata.ToA1111(s_txt2img));
    }

    [Fact]
    public void Optional_fields_appear_only_when_they_apply()
    {
        var p = s_txt2img with
        {
            Mode = GenerationMode.ImageToImage, NegativePrompt = "", Sampler = "pndm", GuidanceScale = 7, ModelHash = null,
            Strength = 0.75, ClipSkip = 1, BatchSize = 2, BatchIndex = 1,
        };
        Assert.Equal(
            "a lighthouse at dusk\n" +
            "Steps: 20, Sampler: PLMS, CFG scale: 7, Seed: 1234, Size: 512x768, Model: v1-5-pruned-emaonly, Denoising strength: 0.75, Clip skip: 2, Batch size: 2, Batch pos: 1, Version: Atelier",
            GenerationMetadata.ToA1111(p));
    }

    [Fact]
    public void Png_carries_the_parameters_and_the_json_and_decodes_back()
    {
        var image = new Image(8, 8, 3);
        for (int i = 0; i < image.Pixels.Length; i++)
            image.Pixels[i] = (byte)(i * 7);
        byte[] png = GenerationMetadata.EncodePng(new GeneratedImage(image, s_txt2img));
        var decoded = PngDecoder.Decode(png);

        var parameters = Assert.Single(decoded.Metadata.Text, t => t.Keyword == GenerationMetadata.ParametersKeyword);
        Assert.Equal("tEXt", parameters.ChunkType);
        Assert.Equal(GenerationMetadata.ToA1111(s_txt2img), parameters.Text);
        var json = JsonNode.Parse(decoded.Metadata.GetText(GenerationMetadata.JsonKeyword)!)!;
        Assert.Equal("txt2img", json["mode"]!.GetValue<string>());
        Assert.Equal("blurry, low quality", json["negative_prompt"]!.GetValue<string>());
        Assert.Equal(1234UL, json["seed"]!.GetValue<ulong>());
        Assert.Equal("euler_a", json["sampler"]!.GetValue<string>());
        Assert.Equal(768, json["height"]!.GetValue<int>());
        for (int i = 0; i < 64; i++)      // the decoder gives RGBA
            Assert.Equal(image.Pixels.AsSpan(3 * i, 3).ToArray(), decoded.Image.Pixels.AsSpan(4 * i, 3).ToArray());
    }

    [Fact]
    public void Text_outside_latin1_goes_to_an_international_chunk()
    {
        var p = s_txt2img with { Prompt = "富士山の夕焼け" };
        var parameters = Assert.Single(GenerationMetadata.ToPng(p).Text, t => t.Keyword == GenerationMetadata.ParametersKeyword);
        Assert.Equal("iTXt", parameters.ChunkType);
        Assert.StartsWith("富士山の夕焼け\n", parameters.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_names_with_separators_are_quoted()
    {
        string text = GenerationMetadata.ToA1111(s_txt2img with { ModelName = "mix: v2, final" });
        Assert.Contains("Model: \"mix: v2, final\",", text, StringComparison.Ordinal);
    }
}
