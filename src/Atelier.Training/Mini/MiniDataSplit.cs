using Atelier.Training.Data;
using Atelier.Training.Pipeline;

namespace Atelier.Training.Mini;

/// <summary>One split of the atelier-mini data set for stages 2–4: its manifest rows and their decoded 64x64 RGB images (over white).</summary>
public sealed class MiniDataSplit
{
    /// <summary>The data set's image side.</summary>
    public const int ImageSize = 64;

    private MiniDataSplit(IReadOnlyList<ManifestRow> rows, DecodedImageSet images)
    {
        Rows = rows;
        Images = images;
    }

    public IReadOnlyList<ManifestRow> Rows { get; }

    public DecodedImageSet Images { get; }

    public int Count => Rows.Count;

    /// <summary>Reads the manifest's licensed rows of <paramref name="split"/> and decodes their images from <paramref name="dataRoot"/>.</summary>
    public static MiniDataSplit Load(string manifestPath, string dataRoot, string split)
    {
        var set = ManifestDataSet<string>.Open(manifestPath, dataRoot, split, path => path);
        if (set.Count == 0)
            throw new InvalidDataException($"{manifestPath}: no licensed rows in split '{split}'.");
        var paths = Enumerable.Range(0, set.Count).Select(set.ImagePath).ToArray();
        return new MiniDataSplit(set.Rows, DecodedImageSet.Load(paths, ImageSize));
    }

    /// <summary>Wraps rows and already decoded images (tests, synthetic data).</summary>
    public static MiniDataSplit FromImages(IReadOnlyList<ManifestRow> rows, DecodedImageSet images)
    {
        if (rows.Count != images.Count)
            throw new ArgumentException($"mini data split: {rows.Count} rows but {images.Count} images.", nameof(images));
        return new MiniDataSplit(rows, images);
    }
}
