using Atelier.Cli.Commands;
using Atelier.Diffusion.Generation;
using Atelier.Formats.Images;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>
/// <c>atelier generate | vary | edit</c> without <c>--model</c>: the shipped default model (models/atelier-mini, copied
/// beside the program by the build) makes 64x64 images whose PNGs record how they were made.
/// </summary>
public sealed class DefaultModelCommandsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("atelier-default-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_default_model_is_found_beside_the_program()
    {
        string folder = GeneratorSelection.DefaultModelDirectory();
        foreach (string part in new[] { "clip", "prior", "decoder", "upsampler" })
        {
            Assert.True(File.Exists(Path.Combine(folder, part + ".safetensors")), $"{part}.safetensors missing in {folder}");
            Assert.True(File.Exists(Path.Combine(folder, part + ".json")), $"{part}.json missing in {folder}");
        }
    }

    [Fact]
    public void Generate_without_a_model_draws_with_atelier_mini_and_records_it()
    {
        string a = Path.Combine(_folder, "a.png"), b = Path.Combine(_folder, "b.png");
        var (exit, stdout, stderr) = CliRun.Invoke("generate", "a red apple", "--seed", "3", "-o", a);
        Assert.True(exit == 0, stderr);
        Assert.Contains("model atelier-mini", stdout, StringComparison.Ordinal);
        var png = PngDecoder.DecodeFile(a);
        Assert.Equal((64, 64), (png.Image.Width, png.Image.Height));
        string parameters = png.Metadata.GetText(GenerationMetadata.ParametersKeyword)!;
        Assert.StartsWith("a red apple\nSteps: ", parameters, StringComparison.Ordinal);
        Assert.Contains("Seed: 3, Size: 64x64, Model hash: ", parameters, StringComparison.Ordinal);
        Assert.Contains(", Model: atelier-mini", parameters, StringComparison.Ordinal);
        // The same seed gives the same bytes; another seed another image.
        Assert.Equal(0, CliRun.Invoke("generate", "a red apple", "--seed", "3", "-o", b).Exit);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.Equal(0, CliRun.Invoke("generate", "a red apple", "--seed", "4", "-o", b).Exit);
        Assert.False(PngDecoder.DecodeFile(b).Image.PixelsEqual(png.Image));
    }

    [Fact]
    public void A_batch_gives_each_image_its_own_recorded_seed()
    {
        string output = Path.Combine(_folder, "batch.png");
        Assert.Equal(0, CliRun.Invoke("generate", "a blue star", "--seed", "10", "-n", "2", "-o", output).Exit);
        string second = Path.Combine(_folder, "batch-2.png");
        Assert.Contains("Seed: 11,", PngDecoder.DecodeFile(second).Metadata.GetText(GenerationMetadata.ParametersKeyword)!, StringComparison.Ordinal);
        string alone = Path.Combine(_folder, "alone.png");
        Assert.Equal(0, CliRun.Invoke("generate", "a blue star", "--seed", "11", "-o", alone).Exit);
        Assert.True(PngDecoder.DecodeFile(alone).Image.PixelsEqual(PngDecoder.DecodeFile(second).Image), "image 2 of a batch is not reproduced by its own seed");
    }

    [Fact]
    public void Vary_makes_a_new_image_from_an_image()
    {
        string input = Path.Combine(_folder, "in.png"), output = Path.Combine(_folder, "vary.png");
        Assert.Equal(0, CliRun.Invoke("generate", "a yellow smiling face", "--seed", "1", "-o", input).Exit);
        var (exit, _, stderr) = CliRun.Invoke("vary", input, "--seed", "2", "-o", output);
        Assert.True(exit == 0, stderr);
        var png = PngDecoder.DecodeFile(output);
        Assert.Equal((64, 64), (png.Image.Width, png.Image.Height));
        Assert.False(png.Image.PixelsEqual(PngDecoder.DecodeFile(input).Image));
        Assert.Contains("Model: atelier-mini", png.Metadata.GetText(GenerationMetadata.ParametersKeyword)!, StringComparison.Ordinal);
    }

    [Fact]
    public void Edit_repaints_the_white_part_of_the_mask_and_keeps_the_rest()
    {
        string input = Path.Combine(_folder, "in.png"), mask = Path.Combine(_folder, "mask.png"), output = Path.Combine(_folder, "edit.png");
        Assert.Equal(0, CliRun.Invoke("generate", "a green tree", "--seed", "5", "-o", input).Exit);
        var maskImage = new Image(64, 64, 1);
        for (int y = 16; y < 48; y++)
            for (int x = 16; x < 48; x++)
                maskImage.Pixels[y * 64 + x] = 255;
        File.WriteAllBytes(mask, PngEncoder.Encode(maskImage));
        var (exit, _, stderr) = CliRun.Invoke("edit", input, "a red apple", "--mask", mask, "--seed", "6", "-o", output);
        Assert.True(exit == 0, stderr);
        Image before = PngDecoder.DecodeFile(input).Image.ToRgb(), after = PngDecoder.DecodeFile(output).Image.ToRgb();
        bool changedInside = false;
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
                for (int c = 0; c < 3; c++)
                {
                    int i = (y * 64 + x) * 3 + c;
                    if (maskImage.Pixels[y * 64 + x] == 0)
                        Assert.True(before.Pixels[i] == after.Pixels[i], $"pixel ({x},{y}) outside the mask changed");
                    else
                        changedInside |= before.Pixels[i] != after.Pixels[i];
                }
        Assert.True(changedInside, "nothing changed inside the mask");
    }

    [Theory]
    [InlineData("--size", "128x128", "atelier-mini draws 64x64 images only")]
    [InlineData("--negative-prompt", "blurry", "atelier-mini does not take a negative prompt")]
    [InlineData("--sampler", "euler", "atelier-mini samples with dpmpp_2m or ddim")]
    public void Requests_the_model_cannot_serve_are_refused_with_what_to_change(string option, string value, string message)
    {
        string output = Path.Combine(_folder, "x.png");
        var (exit, stdout, stderr) = CliRun.Invoke("generate", "a cat", option, value, "-o", output);
        Assert.Equal(GenerateCommand.ErrorExitCode, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Vary_with_a_caption_is_refused_for_atelier_mini_with_the_alternative()
    {
        string input = Path.Combine(_folder, "in.png");
        Assert.Equal(0, CliRun.Invoke("generate", "a cat", "--seed", "1", "-o", input).Exit);
        var (exit, _, stderr) = CliRun.Invoke("generate", "a dog", "--image", input, "-o", Path.Combine(_folder, "y.png"));
        Assert.Equal(GenerateCommand.ErrorExitCode, exit);
        Assert.Contains("atelier vary IMAGE", stderr, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Vary_with_a_stable_diffusion_model_is_image_to_image_without_a_prompt()
    {
        string tinySd = Path.GetDirectoryName(SharedData.Require("reference/tiny-sd/model_index.json"))!;
        string input = Path.Combine(_folder, "in.png"), output = Path.Combine(_folder, "sd-vary.png");
        Assert.Equal(0, CliRun.Invoke("generate", "a cat", "--seed", "1", "-o", input).Exit);
        var (exit, _, stderr) = CliRun.Invoke("vary", input, "--model", tinySd, "--steps", "2", "--seed", "3", "-o", output);
        Assert.True(exit == 0, stderr);
        string parameters = PngDecoder.DecodeFile(output).Metadata.GetText(GenerationMetadata.ParametersKeyword)!;
        Assert.Contains("Denoising strength: 0.8", parameters, StringComparison.Ordinal);
        Assert.Contains("Model: tiny-sd", parameters, StringComparison.Ordinal);
    }
}
