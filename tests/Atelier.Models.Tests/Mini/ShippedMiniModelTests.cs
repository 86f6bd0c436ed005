using Atelier.Formats.Images;
using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.TestSupport;

namespace Atelier.Models.Tests.Mini;

/// <summary>The committed atelier-mini (models/atelier-mini) end to end: generate, vary and edit give seeded 64x64 images.</summary>
public sealed class ShippedMiniModelTests
{
    [SkippableFact]
    [Trait("Category", "Slow")]
    public void Shipped_model_generates_varies_and_edits_deterministically()
    {
        string folder = Path.Combine(SharedData.RepoRoot, "models", "atelier-mini");
        foreach (string name in new[] { "clip", "prior", "decoder", "upsampler" })
            Skip.IfNot(File.Exists(Path.Combine(folder, name + ".safetensors")), $"no shipped {name} in {folder}");
        var pipeline = MiniPipeline.Load(folder);
        var options = new MiniGenerateOptions { Seed = 42 };

        Image apple = pipeline.Generate("red apple, twemoji style", options);
        Assert.Equal((64, 64, 3), (apple.Width, apple.Height, apple.Channels));
        Assert.True(apple.Pixels.Distinct().Count() > 32, "the generated image is nearly flat");
        int threads = EngineThreads.Count;
        try
        {
            EngineThreads.Count = 1;
            Assert.Equal(apple.Pixels, pipeline.Generate("red apple, twemoji style", options).Pixels);
        }
        finally
        {
            EngineThreads.Count = threads;
        }
        Assert.NotEqual(apple.Pixels, pipeline.Generate("red apple, twemoji style", options with { Seed = 43 }).Pixels);

        // A variation is closer (CLIP) to its input than a generated image of another caption is.
        Image variation = pipeline.Vary(apple, options);
        Image other = pipeline.Generate("automobile, fluent flat style", options);
        float[] e = Embed(pipeline, apple), ev = Embed(pipeline, variation), eo = Embed(pipeline, other);
        Assert.True(Dot(e, ev) > Dot(eo, ev), $"variation cosine to input {Dot(e, ev):F3}, to an unrelated image {Dot(eo, ev):F3}");

        var mask = new Image(64, 64, 1);
        for (int y = 32; y < 64; y++)
            for (int x = 0; x < 64; x++) mask.Pixels[y * 64 + x] = 255;
        Image edited = pipeline.Edit(apple, mask, "green apple, twemoji style", options);
        Assert.Equal(apple.Pixels.AsSpan(0, 32 * 64 * 3).ToArray(), edited.Pixels.AsSpan(0, 32 * 64 * 3).ToArray());
    }

    private static float[] Embed(MiniPipeline pipeline, Image image)
    {
        using var scope = TensorScope.Begin();
        return pipeline.Clip.EncodeImages(MiniImageOps.ToTensor(image)).ToFloatArray();
    }

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
