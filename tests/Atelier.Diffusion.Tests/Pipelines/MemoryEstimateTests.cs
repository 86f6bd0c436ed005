using System.Globalization;
using Atelier.Diffusion.Pipelines;
using Atelier.Tensors;
using Xunit.Abstractions;

namespace Atelier.Diffusion.Tests.Pipelines;

/// <summary>Runs alone: the engine's allocation counters are process-wide.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

/// <summary>The memory estimate against the engine's measured peak of live tensor bytes during a run.</summary>
[Collection(nameof(MemoryMeasurement))]
public class MemoryEstimateTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData(64, 64, 1)]
    [InlineData(128, 96, 2)]
    public void Text_to_image_peak_stays_below_the_estimate_and_within_a_small_factor(int width, int height, int images)
    {
        var model = TinyModels.Folder;
        var pipeline = new TextToImagePipeline(model);
        var request = new TextToImageRequest { Prompts = ["a fox"], Steps = 1, Seed = 3, Width = width, Height = height, ImagesPerPrompt = images, Scheduler = "ddim" };
        using (TensorScope.Begin())
            pipeline.Run(request);                         // warm-up (lazily built tables stay allocated)

        using var scope = TensorScope.Begin();
        long before = TensorMemory.CurrentBytes;
        TensorMemory.ResetPeak();
        pipeline.Run(request);
        long measured = TensorMemory.PeakBytes - before;
        long estimate = Math.Max(
            MemoryEstimate.UNetBytes(model.UNet.Config, 2 * images, height / model.VaeScaleFactor, width / model.VaeScaleFactor),
            MemoryEstimate.VaeBytes(model.Vae.Config, model.Vae.Tiling, height, width));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{width}x{height}x{images}: measured peak {measured} B, estimate {estimate} B ({estimate / (double)measured:F2}x)"));
        Assert.True(measured <= estimate, $"measured peak {measured} B exceeds the estimate {estimate} B");
        Assert.True(estimate <= 8 * measured, $"estimate {estimate} B is more than 8x the measured peak {measured} B");
    }
}
