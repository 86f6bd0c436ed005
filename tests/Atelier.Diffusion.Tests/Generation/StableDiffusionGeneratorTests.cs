using Atelier.Diffusion.Generation;
using Atelier.Diffusion.Tests.Pipelines;
using Atelier.Tensors;

namespace Atelier.Diffusion.Tests.Generation;

/// <summary>
/// The generator seam gives diffusers' images for the same seed and settings (the reference pipeline fixtures, whose
/// noise comes from seed 601 for txt2img and 602 for img2img), and records what it ran.
/// </summary>
public class StableDiffusionGeneratorTests
{
    private const string Prompt = "a photo of an astronaut riding a horse on mars";
    private const string Negative = "blurry, low quality";

    [SkippableFact]
    public void Text_to_image_from_a_seed_is_diffusers_image()
    {
        var fixture = PipelineCase.Load("txt2img_euler_neg");
        var generator = new StableDiffusionGenerator(TinyModels.Folder);
        var steps = new List<GenerationProgress>();
        using var scope = TensorScope.Begin();
        var images = generator.Generate(new GenerationRequest
        {
            Prompt = Prompt, NegativePrompt = Negative, Seed = 601, Steps = 4, GuidanceScale = 7.5, Sampler = "euler", Width = 64, Height = 64,
        }, new Collect(steps));

        var image = Assert.Single(images);
        AssertNearFixture(fixture, image);
        Assert.Equal([new(1, 4), new(2, 4), new(3, 4), new(4, 4)], steps);
        var p = image.Parameters;
        Assert.Equal((GenerationMode.TextToImage, "euler", 601UL, 64, 64, "tiny-sd", 4, (double?)null),
            (p.Mode, p.Sampler, p.Seed, p.Width, p.Height, p.ModelName, p.Steps, p.Strength));
        Assert.Equal(TinyModels.Folder.Hash, p.ModelHash);
    }

    [SkippableFact]
    public void Image_to_image_from_a_seed_is_diffusers_image()
    {
        var fixture = PipelineCase.Load("img2img_ddim");
        var generator = new StableDiffusionGenerator(TinyModels.Folder);
        using var scope = TensorScope.Begin();
        var image = Assert.Single(generator.Generate(new GenerationRequest
        {
            Prompt = Prompt, NegativePrompt = Negative, Seed = 602, Steps = 4, GuidanceScale = 7.5, Sampler = "ddim", Strength = 0.6,
            InitImage = PipelineCase.LoadPng("init_image.png"),
        }));
        AssertNearFixture(fixture, image);
        Assert.Equal((GenerationMode.ImageToImage, (double?)0.6), (image.Parameters.Mode, image.Parameters.Strength));
    }

    [SkippableFact]
    public void Model_scheduler_is_recorded_by_its_short_name_and_a_batch_by_position()
    {
        var generator = new StableDiffusionGenerator(TinyModels.Folder);
        using var scope = TensorScope.Begin();
        var images = generator.Generate(new GenerationRequest { Prompt = Prompt, Seed = 7, Steps = 1, Count = 2, GuidanceScale = 1 });
        Assert.Equal(2, images.Count);
        Assert.All(images, i => Assert.Equal(("pndm", 2), (i.Parameters.Sampler, i.Parameters.BatchSize)));
        Assert.Equal([0, 1], images.Select(i => i.Parameters.BatchIndex));
        Assert.False(images[0].Image.PixelsEqual(images[1].Image), "the two images of a batch come from different noise");
    }

    [Fact]
    public void A_mask_without_an_image_is_refused()
    {
        var request = new GenerationRequest { Prompt = "x", Seed = 1, Mask = new Formats.Images.Image(8, 8, 1) };
        var e = Assert.Throws<ArgumentException>(() => request.Mode);
        Assert.Contains("--image", e.Message, StringComparison.Ordinal);
    }

    /// <summary>8-bit pixels within 1 of the fixture's image_uint8 [1, 3, H, W].</summary>
    private static void AssertNearFixture(PipelineCase fixture, GeneratedImage image)
    {
        float[] expected = fixture.Tensors["image_uint8"].Values;
        var pixels = image.Image;
        int plane = pixels.Width * pixels.Height, worst = 0;
        Assert.Equal(expected.Length, 3 * plane);
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++)
                worst = Math.Max(worst, Math.Abs(pixels.Pixels[i * 3 + c] - (int)expected[c * plane + i]));
        Assert.True(worst <= 1, $"{fixture.Name}: generator pixels differ from diffusers' by up to {worst} (at most 1 expected)");
    }

    private sealed class Collect(List<GenerationProgress> steps) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => steps.Add(value);
    }
}
