using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.Training.Mini;
using Atelier.Training.Pipeline;
using Atelier.Training.Trainer;

namespace Atelier.Training.Tests.Mini;

public class DecoderTrainingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "atelier-decoder-training-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void A_tiny_decoder_learns_to_draw_two_images_from_their_embeddings()
    {
        var config = MiniDecoderConfig.Tiny;
        var (images, cache) = MiniSyntheticData.TwoImages(config.SampleSize * 2, config.ClipEmbeddingDim, tokens: 3, config.TextWidth, copies: 4);
        var options = new MiniStageOptions
        {
            OutputDirectory = _folder, Steps = 400, BatchSize = 8, LearningRate = 3e-3f, WarmupSteps = 20, EmaDecay = 0.95f,
            CheckpointInterval = TimeSpan.FromHours(1),
        };
        TrainingRunResult result = DecoderTraining.Run(config, images, cache, options, progress: null);
        Assert.Equal(400, result.LastStep);

        var (steps, losses) = TrainingLog.ReadLoss(Path.Combine(_folder, TrainingLog.FileName));
        double first = losses.Take(20).Average(), last = losses.TakeLast(50).Average();
        Assert.True(last < 0.5 * first, $"the loss fell from {first:F4} to {last:F4} only");

        // Sampling the exported decoder from each embedding draws that image, not the other one.
        var decoder = MiniModelFiles.LoadDecoder(_folder);
        Tensor targets = LowResolution.Downsample(images.Batch([0, 1]));                          // [2, 3, 8, 8]
        Tensor sampled = MiniDecoderSampling.Sample(decoder, new MiniNoiseSchedule(), cache.ImageEmbeddings([0, 1]),
            cache.TextStates([0, 1]), cache.NullTextStates(), new TorchGenerator(5), steps: 20, guidance: 1f);
        for (int i = 0; i < 2; i++)
        {
            double own = MeanSquare(sampled.Narrow(0, i, 1), targets.Narrow(0, i, 1));
            double other = MeanSquare(sampled.Narrow(0, i, 1), targets.Narrow(0, 1 - i, 1));
            Assert.True(own < 0.1 && own < 0.1 * other, $"sample {i}: mean square error {own:F4} to its image, {other:F4} to the other");
        }
    }

    private static double MeanSquare(Tensor a, Tensor b) => a.Sub(b).Square().Mean().Item();
}
