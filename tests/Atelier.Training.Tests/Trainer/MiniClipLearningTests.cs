using Atelier.Formats.Tokenizers;
using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.Training.Trainer;

namespace Atelier.Training.Tests.Trainer;

/// <summary>
/// A real learning test of the whole stage-1 path (tokenizer, towers, InfoNCE, AdamW, EMA, schedule): a tiny
/// CLIP-mini must learn to pair 8 synthetic images (a coloured block at a position) with their captions.
/// </summary>
public sealed class MiniClipLearningTests
{
    private static readonly (string Colour, byte R, byte G, byte B)[] s_colours = [("red", 220, 30, 30), ("blue", 30, 30, 220)];
    private static readonly (string Place, int X, int Y)[] s_places = [("top left", 0, 0), ("top right", 8, 0), ("bottom left", 0, 8), ("bottom right", 8, 8)];

    private static (Tensor Images, string[] Captions) Pairs()
    {
        const int size = 16;
        var values = new List<float>();
        var captions = new List<string>();
        foreach (var (colour, r, g, b) in s_colours)
            foreach (var (place, px, py) in s_places)
            {
                captions.Add($"{colour} block {place}");
                foreach (byte channel in new[] { r, g, b })
                    for (int y = 0; y < size; y++)
                        for (int x = 0; x < size; x++)
                        {
                            bool inside = x >= px && x < px + 8 && y >= py && y < py + 8;
                            values.Add(inside ? channel * (2f / 255f) - 1f : 1f);   // on white
                        }
            }
        return (Tensor.FromArray(values.ToArray(), [captions.Count, 3, size, size]), captions.ToArray());
    }

    [Fact]
    public void Tiny_clip_learns_to_retrieve_every_synthetic_pair()
    {
        var (images, captions) = Pairs();
        ClipTokenizer tokenizer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 540, ModelMaxLength = 8, MinPairFrequency = 1 })
            .Train(captions).ToTokenizer();
        var model = new MiniClip(MiniClipConfig.Tiny() with { VocabSize = tokenizer.VocabularySize }) { Tokenizer = tokenizer };
        model.Initialize(new TorchGenerator(3));
        var parameters = new TrainableParameters(model);
        var optimizer = new AdamW(parameters, new AdamWOptions { Beta2 = 0.98f, WeightDecay = 0.01f }, WeightDecayPolicy.LinearAndConvWeights(model));
        var ema = new Ema(parameters, 0.9f);
        var schedule = new LearningRateSchedule(3e-3f, 5, 80);
        MiniClipTokenBatch tokens = model.Tokenize(captions);

        float Loss(bool update)
        {
            using var scope = TensorScope.Begin();
            Tensor loss = MiniClip.ContrastiveLoss(model.ImageEmbeddings(images), model.TextEmbeddings(tokens).Embeddings, model.Temperature()).Loss;
            float value = loss.Item();
            if (update) loss.Backward();
            return value;
        }

        float first = Loss(update: false);
        for (long step = 0; step < schedule.TotalSteps; step++)
        {
            Loss(update: true);
            optimizer.Step(schedule.At(step));
            optimizer.ZeroGrad();
            ema.Update();
        }
        float last = Loss(update: false);

        Assert.True(first > 1.8f, $"an untrained model should be near chance (ln 8 = 2.08); loss {first}");
        Assert.True(last < 0.3f, $"loss {first} → {last}: the model did not learn the 8 pairs");
        var result = MiniClipRetrieval.Measure(model.EncodeImages(images), model.EncodeText(captions).Pooled, captions);
        Assert.Equal(1.0, result.Top1);
    }
}
