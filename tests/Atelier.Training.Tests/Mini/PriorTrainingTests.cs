using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.Training.Mini;
using Atelier.Training.Trainer;

namespace Atelier.Training.Tests.Mini;

public class PriorTrainingTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "atelier-prior-training-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void A_tiny_prior_learns_which_image_embedding_goes_with_which_text()
    {
        var config = MiniPriorConfig.Tiny;
        var (_, cache) = MiniSyntheticData.TwoImages(size: 4, config.EmbeddingDim, tokens: 1, textWidth: 2, copies: 8);
        var options = new MiniStageOptions
        {
            OutputDirectory = _folder, Steps = 300, BatchSize = 16, LearningRate = 3e-3f, WarmupSteps = 20, EmaDecay = 0.95f,
            CheckpointInterval = TimeSpan.FromHours(1),
        };
        TrainingRunResult result = PriorTraining.Run(config, cache, cache, options, progress: null);
        Assert.Equal(300, result.LastStep);
        // Texts e₂, e₃ map to images e₀, e₁: the sampled embedding must be near the right one (baseline cosine 0).
        Assert.NotNull(result.Evaluation);
        Assert.Equal(0, result.Evaluation!["text_image_cosine"], 6);
        Assert.True(result.Evaluation["prior_cosine"] > 0.9, $"prior cosine {result.Evaluation["prior_cosine"]:F3}");
        var prior = MiniModelFiles.LoadPrior(_folder);
        Tensor sampled = MiniPriorSampling.Sample(prior, new MiniNoiseSchedule(), cache.TextEmbeddings([1]), new TorchGenerator(3), 16, 2f);
        Assert.True(sampled[0, 1] > 0.9f, $"text 1 sampled {string.Join(", ", sampled.ToFloatArray().Select(v => v.ToString("F2")))}");
    }
}
