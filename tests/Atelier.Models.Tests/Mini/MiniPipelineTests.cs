using Atelier.Formats.Images;
using Atelier.Models.Mini;
using Atelier.Tensors;

namespace Atelier.Models.Tests.Mini;

public class MiniPipelineTests
{
    private static readonly MiniGenerateOptions s_fast = new() { Seed = 7, PriorSteps = 4, DecoderSteps = 4 };

    private static MiniPipeline TinyPipeline()
    {
        var clip = new FakeClipEncoder(embeddingDim: 12, tokens: 3, textWidth: 16);
        var prior = RandomWeights.Initialize(new MiniPrior(MiniPriorConfig.Tiny), 1);
        var decoder = RandomWeights.Initialize(new MiniDecoder(MiniDecoderConfig.Tiny with { SampleSize = 32 }), 2);
        var upsampler = RandomWeights.Initialize(new MiniUpsampler(MiniUpsamplerConfig.Tiny with { InputSize = 32 }), 3);
        return new MiniPipeline(clip, prior, decoder, upsampler);
    }

    [Fact]
    public void Generate_returns_a_64x64_rgb_image_that_encodes_as_png()
    {
        Image image = TinyPipeline().Generate("a red apple, twemoji style", s_fast);
        Assert.Equal((64, 64, 3), (image.Width, image.Height, image.Channels));
        Assert.True(image.Pixels.Distinct().Count() > 1, "the image is flat: " + string.Join(",", image.Pixels.Distinct().Take(5)));
        Image decoded = PngDecoder.Decode(PngEncoder.Encode(image)).Image.ToRgb();   // the decoder hands out RGBA
        Assert.True(decoded.PixelsEqual(image));
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes_at_any_thread_count_and_another_seed_does_not()
    {
        var pipeline = TinyPipeline();
        int threads = EngineThreads.Count;
        try
        {
            EngineThreads.Count = 1;
            byte[] one = pipeline.Generate("cat face", s_fast).Pixels;
            EngineThreads.Count = 2;
            byte[] two = pipeline.Generate("cat face", s_fast).Pixels;
            byte[] again = pipeline.Generate("cat face", s_fast).Pixels;
            byte[] other = pipeline.Generate("cat face", s_fast with { Seed = 8 }).Pixels;
            Assert.Equal(one, two);
            Assert.Equal(two, again);
            Assert.NotEqual(one, other);
        }
        finally
        {
            EngineThreads.Count = threads;
        }
    }

    [Fact]
    public void Edit_keeps_every_pixel_outside_the_mask()
    {
        var pipeline = TinyPipeline();
        Image source = pipeline.Generate("house", s_fast);
        var mask = new Image(64, 64, 1);
        for (int y = 16; y < 40; y++)
            for (int x = 20; x < 44; x++)
                mask.Pixels[y * 64 + x] = 255;
        Image edited = pipeline.Edit(source, mask, "tree", s_fast with { Seed = 9 });
        int changedInside = 0;
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
                for (int c = 0; c < 3; c++)
                {
                    int p = (y * 64 + x) * 3 + c;
                    if (mask.Pixels[y * 64 + x] == 0) Assert.Equal(source.Pixels[p], edited.Pixels[p]);
                    else if (source.Pixels[p] != edited.Pixels[p]) changedInside++;
                }
        Assert.True(changedInside > 100, $"only {changedInside} samples changed inside the mask");
    }

    [Fact]
    public void Vary_is_seeded_and_inputs_are_checked()
    {
        var pipeline = TinyPipeline();
        Image source = pipeline.Generate("star", s_fast);
        Assert.Equal(pipeline.Vary(source, s_fast).Pixels, pipeline.Vary(source, s_fast).Pixels);
        Assert.NotEqual(pipeline.Vary(source, s_fast).Pixels, pipeline.Vary(source, s_fast with { Seed = 3 }).Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.Generate("x", s_fast with { DecoderSteps = 0 }));
        Assert.Throws<ArgumentException>(() => new MiniPipeline(new FakeClipEncoder(8, 3, 16), pipeline.Prior, pipeline.Decoder, pipeline.Upsampler));
    }
}
