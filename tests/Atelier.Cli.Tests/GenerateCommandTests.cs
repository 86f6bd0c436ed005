using Atelier.Cli.Commands;
using Atelier.Diffusion.Generation;
using Atelier.Formats.Images;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary><c>atelier generate</c> on the reference fixtures' tiny Stable Diffusion (shared/reference/tiny-sd).</summary>
public sealed class GenerateCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("atelier-generate-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string TinySd => Path.GetDirectoryName(SharedData.Require("reference/tiny-sd/model_index.json"))!;

    [SkippableFact]
    public void Writes_a_png_whose_parameters_chunk_records_the_run_and_prints_the_seed()
    {
        string output = Path.Combine(_folder, "sub", "fox.png");
        var (exit, stdout, stderr) = CliRun.Invoke("generate", "a red fox in the snow", "--model", TinySd, "--negative-prompt", "blurry",
            "--steps", "2", "--seed", "5", "--size", "64x64", "--sampler", "ddim", "-o", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains("seed 5", stdout, StringComparison.Ordinal);
        Assert.Contains("step 2/2", stdout, StringComparison.Ordinal);
        var png = PngDecoder.DecodeFile(output);
        Assert.Equal((64, 64), (png.Image.Width, png.Image.Height));
        string parameters = png.Metadata.GetText(GenerationMetadata.ParametersKeyword)!;
        Assert.StartsWith("a red fox in the snow\nNegative prompt: blurry\nSteps: 2, Sampler: DDIM, CFG scale: 7.5, Seed: 5, Size: 64x64, Model hash: ", parameters, StringComparison.Ordinal);
        Assert.Contains(", Model: tiny-sd,", parameters, StringComparison.Ordinal);
        Assert.Contains("\"seed\":5", png.Metadata.GetText(GenerationMetadata.JsonKeyword)!, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_lists_generate_with_the_documented_options()
    {
        var generate = Assert.Single(CommandCatalog.All(), c => c.Name == "generate");
        string[] names = generate.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToArray();
        foreach (string option in new[] { "--model", "--negative-prompt", "--steps", "--guidance", "--cfg", "--seed", "--scheduler", "--sampler",
                     "--width", "--height", "--size", "--strength", "--image", "--mask", "-n", "--batch", "-o", "--clip-skip", "--tokenizer" })
            Assert.Contains(option, names);
    }

    [SkippableFact]
    public void Clip_skip_is_recorded_as_automatic1111_counts_it()
    {
        string output = Path.Combine(_folder, "skip.png");
        var (exit, _, stderr) = CliRun.Invoke("generate", "a fox", "--model", TinySd, "--steps", "1", "--seed", "2", "--clip-skip", "1", "-o", output);
        Assert.True(exit == 0, stderr);
        Assert.Contains(", Clip skip: 2,", PngDecoder.DecodeFile(output).Metadata.GetText(GenerationMetadata.ParametersKeyword)!, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Same_seed_gives_the_same_bytes_and_another_seed_other_pixels()
    {
        string[] Args(string seed, string name) =>
            ["generate", "a lighthouse", "--model", TinySd, "--steps", "2", "--seed", seed, "--cfg", "3", "-o", Path.Combine(_folder, name)];
        Assert.Equal(0, CliRun.Invoke(Args("11", "a.png")).Exit);
        Assert.Equal(0, CliRun.Invoke(Args("11", "b.png")).Exit);
        Assert.Equal(0, CliRun.Invoke(Args("12", "c.png")).Exit);
        byte[] a = File.ReadAllBytes(Path.Combine(_folder, "a.png"));
        Assert.Equal(a, File.ReadAllBytes(Path.Combine(_folder, "b.png")));
        Assert.False(PngDecoder.Decode(a).Image.PixelsEqual(PngDecoder.DecodeFile(Path.Combine(_folder, "c.png")).Image));
    }

    /// <summary>The command line reproduces diffusers' image (fixture txt2img_euler_neg: latents from seed 601).</summary>
    [SkippableFact]
    public void Reproduces_the_diffusers_reference_image()
    {
        var expected = PngDecoder.DecodeFile(SharedData.Require("reference/tiny-sd-expected/pipelines/txt2img_euler_neg.png")).Image;
        string output = Path.Combine(_folder, "astronaut.png");
        var (exit, _, stderr) = CliRun.Invoke("generate", "a photo of an astronaut riding a horse on mars", "--model", TinySd,
            "--negative", "blurry, low quality", "--seed", "601", "--steps", "4", "--guidance", "7.5", "--scheduler", "euler",
            "--width", "64", "--height", "64", "-o", output);
        Assert.True(exit == 0, stderr);
        var actual = PngDecoder.DecodeFile(output).Image;
        int worst = 0;
        for (int i = 0; i < actual.Pixels.Length; i++)
            worst = Math.Max(worst, Math.Abs(actual.Pixels[i] - expected.Pixels[i]));
        Assert.True(worst <= 1, $"pixels differ from diffusers' by up to {worst}");
    }

    [SkippableFact]
    public void Image_and_mask_inpaint_and_a_batch_writes_numbered_files()
    {
        string pipelines = Path.GetDirectoryName(SharedData.Require("reference/tiny-sd-expected/pipelines/init_image.png"))!;
        string output = Path.Combine(_folder, "edit.png");
        var (exit, _, stderr) = CliRun.Invoke("generate", "a horse", "--model", TinySd, "--image", Path.Combine(pipelines, "init_image.png"),
            "--mask", Path.Combine(pipelines, "mask.png"), "--steps", "2", "--strength", "0.9", "--seed", "3", "-n", "2", "-o", output);
        Assert.True(exit == 0, stderr);
        for (int i = 1; i <= 2; i++)
        {
            string parameters = PngDecoder.DecodeFile(Path.Combine(_folder, $"edit-{i}.png")).Metadata.GetText(GenerationMetadata.ParametersKeyword)!;
            Assert.Contains($"Denoising strength: 0.9, Batch size: 2, Batch pos: {i - 1}", parameters, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string[], string> BadOptions() => new()
    {
        { ["--sampler", "foo"], "unknown sampler 'foo'; valid samplers: ddim, ddpm, dpmpp_2m" },
        { ["--size", "60x64"], "width 60 is not a positive multiple of 8" },
        { ["--height", "100"], "height 100 is not a positive multiple of 8" },
        { ["--size", "512"], "--size '512' is not WxH" },
        { ["--size", "64x64", "--width", "64"], "either --size WxH or --width/--height" },
        { ["--steps", "0"], "--steps 0 must be at least 1" },
        { ["--strength", "0.5"], "--strength applies to an init image" },
        { ["--mask", "m.png"], "--mask needs --image" },
        { ["--image", "/nonexistent/init.png"], "--image /nonexistent/init.png: no such file" },
        { ["--size", "65536x65536", "--steps", "1"], "Generating 65536x65536 needs about" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_fail_with_one_line_and_exit_code_1(string[] options, string message)
    {
        string output = Path.Combine(_folder, "never.png");
        var (exit, stdout, stderr) = CliRun.Invoke(["generate", "a fox", "--model", TinySd, "-o", output, .. options]);
        AssertRefused(exit, stdout, stderr, message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Without_a_model_the_message_says_how_to_pass_one()
    {
        var (exit, stdout, stderr) = CliRun.Invoke("generate", "a fox", "-o", Path.Combine(_folder, "x.png"));
        AssertRefused(exit, stdout, stderr, $"the default model ({GeneratorSelection.DefaultModelName}) is not part of this build yet");
        Assert.Contains("--model path/to/diffusers-folder", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_path_that_does_not_exist_is_named()
    {
        var (exit, stdout, stderr) = CliRun.Invoke("generate", "a fox", "--model", "/nonexistent/model.safetensors");
        AssertRefused(exit, stdout, stderr, "--model /nonexistent/model.safetensors: no such file or folder");
    }

    [SkippableFact]
    public void A_single_file_without_its_settings_says_which_options_to_add()
    {
        string file = SharedData.Require("reference/tiny-sd-original/tiny-sd.safetensors");
        var (exit, stdout, stderr) = CliRun.Invoke("generate", "a fox", "--model", file, "--tokenizer", Path.Combine(TinySd, "tokenizer"));
        AssertRefused(exit, stdout, stderr, "--text-heads");
    }

    [SkippableFact]
    public void A_single_file_with_its_settings_generates_the_folder_image()
    {
        string file = SharedData.Require("reference/tiny-sd-original/tiny-sd.safetensors");
        string[] common = ["generate", "a fox", "--steps", "2", "--seed", "9"];
        var single = CliRun.Invoke([.. common, "--model", file, "--tokenizer", Path.Combine(TinySd, "tokenizer"), "--model-image-size", "64",
            "--text-heads", "4", "-o", Path.Combine(_folder, "single.png")]);
        var folder = CliRun.Invoke([.. common, "--model", TinySd, "-o", Path.Combine(_folder, "folder.png")]);
        Assert.True(single.Exit == 0, single.Error);
        Assert.True(folder.Exit == 0, folder.Error);
        var a = PngDecoder.DecodeFile(Path.Combine(_folder, "single.png")).Image;
        var b = PngDecoder.DecodeFile(Path.Combine(_folder, "folder.png")).Image;
        int worst = 0;
        for (int i = 0; i < a.Pixels.Length; i++)
            worst = Math.Max(worst, Math.Abs(a.Pixels[i] - b.Pixels[i]));
        Assert.True(worst <= 1, $"single file and folder images differ by up to {worst}");
    }

    private static void AssertRefused(int exit, string stdout, string stderr, string message)
    {
        Assert.Equal(GenerateCommand.ErrorExitCode, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr + stdout, StringComparison.Ordinal);
    }
}
