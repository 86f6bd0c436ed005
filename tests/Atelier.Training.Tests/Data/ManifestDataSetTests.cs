using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

public sealed class ManifestDataSetTests : IDisposable
{
    private readonly SyntheticPackages _packages = new();

    public void Dispose() => _packages.Dispose();

    [Fact]
    public void Open_ReturnsTrainableRowsOfOneSplitAndDecodesWithTheGivenFunction()
    {
        (PinnedPackage images, PinnedPackage captions) = _packages.EmojiPackages(SyntheticPackages.Catalogue(extraConcepts: 60));
        DataBuildOptions options = _packages.Options([SyntheticPackages.Source("s", images, "MIT")], captions);
        DataBuildResult result = new DataSetBuilder(options, SilentProgress.Instance).Build();

        var train = ManifestDataSet<RgbaImage>.Open(options.ManifestPath, options.OutputDirectory, HeldOutSplit.Train,
            path => DataSetPng.Decode(File.ReadAllBytes(path), path));
        var heldOut = ManifestDataSet<RgbaImage>.Open(options.ManifestPath, options.OutputDirectory, HeldOutSplit.HeldOut,
            path => DataSetPng.Decode(File.ReadAllBytes(path), path));

        Assert.Equal(result.Rows.Count, train.Count + heldOut.Count);
        Assert.All(train.Rows, r => Assert.Equal(HeldOutSplit.Train, r.Split));
        (RgbaImage image, string caption) = train.Load(0);
        Assert.Equal(64, image.Width);
        Assert.Equal(train.Rows[0].Caption, caption);
        Assert.Empty(train.FindMismatchedImages());
    }

    [Fact]
    public void FindMismatchedImages_ReportsAnEditedImage()
    {
        (PinnedPackage images, PinnedPackage captions) = _packages.EmojiPackages(SyntheticPackages.Catalogue());
        DataBuildOptions options = _packages.Options([SyntheticPackages.Source("s", images, "MIT")], captions);
        new DataSetBuilder(options, SilentProgress.Instance).Build();
        var train = ManifestDataSet<string>.Open(options.ManifestPath, options.OutputDirectory, HeldOutSplit.Train, p => p);

        File.WriteAllBytes(train.ImagePath(0), SyntheticPackages.SolidPng(200));

        Assert.Equal([train.Rows[0].Id], train.FindMismatchedImages());
    }

    [Fact]
    public void Open_MalformedManifest_NamesLineAndColumn()
    {
        string path = Path.Combine(_packages.Root, "manifest.tsv");
        File.WriteAllText(path, string.Join('\t', ManifestRow.Columns) + "\nonly\tthree\tcolumns\n");

        var e = Assert.Throws<ManifestFormatException>(() => ManifestDataSet<string>.Open(path, _packages.Root, HeldOutSplit.Train, p => p));

        Assert.Equal(2, e.Line);
    }
}
