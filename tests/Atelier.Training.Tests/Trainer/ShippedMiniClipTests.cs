using Atelier.Models.Mini;
using Atelier.Tensors;
using Atelier.TestSupport;
using Atelier.Training.Data;
using Atelier.Training.Pipeline;

namespace Atelier.Training.Tests.Trainer;

/// <summary>
/// The committed CLIP-mini (models/atelier-mini/clip.safetensors) retrieves held-out images from their captions far
/// above chance. Needs the built data set (ATELIER_MINI_DATA, default /work/wt-data/data/atelier-mini); skips without it.
/// </summary>
public sealed class ShippedMiniClipTests
{
    [SkippableFact]
    [Trait("Category", "Slow")]
    public void Shipped_clip_retrieves_held_out_images_from_their_captions()
    {
        string modelFolder = Path.Combine(SharedData.RepoRoot, "models", "atelier-mini");
        string dataFolder = Environment.GetEnvironmentVariable("ATELIER_MINI_DATA") ?? "/work/wt-data/data/atelier-mini";
        Skip.IfNot(File.Exists(Path.Combine(modelFolder, MiniClip.WeightsFileName)), $"no shipped CLIP-mini in {modelFolder}");
        Skip.IfNot(Directory.Exists(Path.Combine(dataFolder, "images")), $"data set images absent at {dataFolder} (set ATELIER_MINI_DATA)");

        MiniClip model = MiniClip.Load(modelFolder);
        ManifestRow[] rows = Manifest.Read(Path.Combine(modelFolder, "data", "manifest.tsv"))
            .Where(r => r.IsTrainable && r.Split == HeldOutSplit.HeldOut)
            .Where((_, i) => i % 8 == 0)   // ~100 images spread over the held-out concepts
            .ToArray();
        DecodedImageSet images = DecodedImageSet.Load(rows.Select(r => Path.Combine(dataFolder, r.OutputPath)).ToArray(), 64);
        string[] captions = rows.Select(r => r.Caption).ToArray();

        Tensor imageEmbeddings = model.EncodeImages(images.Batch(Enumerable.Range(0, rows.Length).ToArray()));
        Tensor textEmbeddings = model.EncodeText(captions).Pooled;
        var result = MiniClipRetrieval.Measure(imageEmbeddings, textEmbeddings, captions);

        Assert.True(result.Top1Among10 >= 0.4, $"top-1 among 10 on {result.Count} held-out pairs is {result.Top1Among10:P1} (chance 10 %)");
        Assert.True(result.Top5 >= 5.0 * 5 / result.Count, $"top-5 among {result.Count} is {result.Top5:P1}");
    }
}
