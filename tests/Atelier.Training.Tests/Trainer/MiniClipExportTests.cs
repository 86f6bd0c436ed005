using Atelier.Formats.Tokenizers;
using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.Training.Trainer;

namespace Atelier.Training.Tests.Trainer;

/// <summary>The export path of `atelier train clip --export`: F16 weights + clip.json + tokenizer/ load back with MiniClip.Load.</summary>
public sealed class MiniClipExportTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "atelier-clip-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Exported_f16_weights_load_and_encode_like_the_trained_model()
    {
        string[] captions = ["red block", "blue block, noto style", "woman running: dark skin tone"];
        BpeTrainingResult bpe = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 540, ModelMaxLength = 8, MinPairFrequency = 1 }).Train(captions);
        ClipTokenizer tokenizer = bpe.ToTokenizer();
        var config = MiniClipConfig.Tiny() with { VocabSize = tokenizer.VocabularySize };
        var model = new MiniClip(config) { Tokenizer = tokenizer };
        model.Initialize(new TorchGenerator(11));
        var parameters = new TrainableParameters(model);
        var ema = new Ema(parameters, 0.9f);

        Directory.CreateDirectory(_folder);
        WeightsFile.Write(Path.Combine(_folder, MiniClip.WeightsFileName), ema.Weights(), new Dictionary<string, string> { ["format"] = "atelier-mini-clip/1" }, DType.F16);
        File.WriteAllText(Path.Combine(_folder, MiniClip.ConfigFileName), config.ToJson());
        bpe.Save(Path.Combine(_folder, MiniClip.TokenizerDirectoryName));
        MiniClip loaded = MiniClip.Load(_folder);

        Tensor images = Tensor.FromArray(new TorchGenerator(5).Rand([2, 3, 16, 16]).Select(v => 2 * v - 1).ToArray(), [2, 3, 16, 16]);
        float[] expectedImages = model.EncodeImages(images).ToFloatArray();
        float[] actualImages = loaded.EncodeImages(images).ToFloatArray();
        float[] expectedText = model.EncodeText(captions).Pooled.ToFloatArray();
        float[] actualText = loaded.EncodeText(captions).Pooled.ToFloatArray();
        for (int i = 0; i < expectedImages.Length; i++) Assert.True(Math.Abs(expectedImages[i] - actualImages[i]) < 5e-3f, $"image {i}: {expectedImages[i]} vs {actualImages[i]}");
        for (int i = 0; i < expectedText.Length; i++) Assert.True(Math.Abs(expectedText[i] - actualText[i]) < 5e-3f, $"text {i}: {expectedText[i]} vs {actualText[i]}");
        Assert.Equal(config.ToJson(), loaded.Config.ToJson());
    }

    [Fact]
    public void Loading_from_a_folder_without_weights_names_the_missing_file()
    {
        Directory.CreateDirectory(_folder);
        var e = Assert.Throws<FileNotFoundException>(() => MiniClip.Load(_folder));
        Assert.Contains(MiniClip.ConfigFileName, e.Message);
    }
}
