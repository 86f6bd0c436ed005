using System.Text;
using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

/// <summary>End-to-end builds over synthetic packages (no network, no external tools: emoji-datasource PNGs only).</summary>
public sealed class DataSetBuilderTests : IDisposable
{
    private readonly SyntheticPackages _packages = new();

    public void Dispose() => _packages.Dispose();

    private DataBuildResult Build(IReadOnlyList<DataSource> sources, PinnedPackage captions, OptOutRegistry? optOut = null) =>
        new DataSetBuilder(_packages.Options(sources, captions, optOut), SilentProgress.Instance).Build();

    private (DataSource Source, PinnedPackage Captions) Standard(int extraConcepts = 0, string licence = "CC-BY-4.0")
    {
        (PinnedPackage images, PinnedPackage captions) = _packages.EmojiPackages(SyntheticPackages.Catalogue(extraConcepts));
        return (SyntheticPackages.Source("test-style", images, licence), captions);
    }

    [Fact]
    public void TwoBuilds_GiveAByteIdenticalManifestAndReport()
    {
        (DataSource source, PinnedPackage captions) = Standard();
        var options = _packages.Options([source], captions);

        DataBuildResult first = Build([source], captions);
        byte[] manifest = File.ReadAllBytes(options.ManifestPath);
        byte[] report = File.ReadAllBytes(options.ReportPath);
        DataBuildResult second = Build([source], captions);

        Assert.Equal(first.ManifestSha256, second.ManifestSha256);
        Assert.Equal(manifest, File.ReadAllBytes(options.ManifestPath));
        Assert.Equal(report, File.ReadAllBytes(options.ReportPath));
        Assert.Equal(first.ManifestSha256, Manifest.HashFile(options.ManifestPath));
    }

    [Fact]
    public void Build_WritesImagesCaptionsAndHashesTheManifestLists()
    {
        (DataSource source, PinnedPackage captions) = Standard();

        DataBuildResult result = Build([source], captions);

        ManifestRow pizza = result.Rows.Single(r => r.Id == "test-style/1F355");
        Assert.Equal("pizza, test style style, cheese, slice", pizza.Caption);
        Assert.Equal("CC-BY-4.0", pizza.Licence);
        Assert.Equal("test-art", pizza.Attribution);
        string file = Path.Combine(_packages.Output, pizza.OutputPath);
        Assert.Equal(pizza.Sha256, Manifest.HashFile(file));
        RgbaImage image = DataSetPng.Decode(File.ReadAllBytes(file), file);
        Assert.Equal((64, 64), (image.Width, image.Height));

        ManifestRow tone = result.Rows.Single(r => r.Id == "test-style/1F44B-1F3FF");
        Assert.Equal("waving hand: dark skin tone, test style style, hello, wave", tone.Caption);
        Assert.Equal("1F44B", tone.Concept);
    }

    [Fact]
    public void SourceWithLicenceOffTheAllowList_IsRefusedAndCounted()
    {
        (PinnedPackage images, PinnedPackage captions) = _packages.EmojiPackages(SyntheticPackages.Catalogue());
        (PinnedPackage otherImages, _) = _packages.EmojiPackages(SyntheticPackages.Catalogue(), suffix: "-sa");
        DataSource allowed = SyntheticPackages.Source("open", images, "MIT");
        DataSource shareAlike = SyntheticPackages.Source("share-alike", otherImages, "CC-BY-SA-4.0");

        DataBuildResult result = Build([allowed, shareAlike], captions);

        Assert.DoesNotContain(result.Rows, r => r.Source == "share-alike");
        Assert.Equal(10, result.Refused.Count(r => r.Source == "share-alike"));  // every image of the catalogue
        Assert.All(result.Refused, r => Assert.Equal("licence CC-BY-SA-4.0 is not on the allow-list", r.Reason));
        Assert.Contains(result.Rows, r => r.Source == "open");
        string report = File.ReadAllText(_packages.Options([], captions).ReportPath);
        Assert.Contains("| share-alike | licence CC-BY-SA-4.0 is not on the allow-list | 10 |", report);
    }

    [Fact]
    public void OptedOutItems_StayInTheManifestMarkedAndOutOfTraining()
    {
        (DataSource source, PinnedPackage captions) = Standard();
        string pizzaHash = Build([source], captions).Rows.Single(r => r.Id == "test-style/1F355").Sha256;
        OptOutRegistry registry = OptOutRegistry.Parse(Encoding.UTF8.GetBytes(
            $"{{\"format\":\"atelier-opt-out/1\",\"entries\":[{{\"concept\":\"1F44B\"}},{{\"sha256\":\"{pizzaHash}\"}}]}}"), "opt-out.json");

        DataBuildResult result = Build([source], captions, registry);

        string[] opted = result.Rows.Where(r => r.Consent == ManifestRow.OptedOut).Select(r => r.Id).ToArray();
        Assert.Equal(["test-style/1F355", "test-style/1F44B", "test-style/1F44B-1F3FB", "test-style/1F44B-1F3FF"], opted);
        Assert.Equal(opted, result.OptedOut.Select(o => o.Id));
        string manifest = File.ReadAllText(_packages.Options([source], captions).ManifestPath);
        Assert.Contains("test-style/1F355\t", manifest);

        var loader = ManifestDataSet<string>.Open(_packages.Options([source], captions).ManifestPath, _packages.Output, HeldOutSplit.Train, p => p);
        Assert.DoesNotContain(loader.Rows, r => opted.Contains(r.Id));
    }

    [Fact]
    public void OptOutByCreatorOrPackage_CoversEverything()
    {
        (DataSource source, PinnedPackage captions) = Standard();
        foreach (string entry in new[] { "{\"creator\":\"test-art\"}", "{\"package\":\"fake-emoji-images@1.0.0\"}" })
        {
            OptOutRegistry registry = OptOutRegistry.Parse(Encoding.UTF8.GetBytes($"{{\"format\":\"atelier-opt-out/1\",\"entries\":[{entry}]}}"), "opt-out.json");

            DataBuildResult result = Build([source], captions, registry);

            Assert.All(result.Rows, r => Assert.Equal(ManifestRow.OptedOut, r.Consent));
        }
    }

    [Fact]
    public void ExactDuplicates_AreMergedIntoTheMostGenericCaption()
    {
        (DataSource source, PinnedPackage captions) = Standard();

        DataBuildResult result = Build([source], captions);

        DuplicateGroup group = Assert.Single(result.Duplicates);
        Assert.Equal("test-style/1F46A", group.Kept);
        Assert.Equal(["test-style/1F468-200D-1F469-200D-1F466"], group.Merged);
        Assert.DoesNotContain(result.Rows, r => r.Id == "test-style/1F468-200D-1F469-200D-1F466");
    }

    [Fact]
    public void MultiToneCombinations_AreDroppedButSameToneVariantsKept()
    {
        (DataSource source, PinnedPackage captions) = Standard();

        DataBuildResult result = Build([source], captions);

        Assert.Contains(result.Rows, r => r.Id == "test-style/1F9D1-1F3FB-200D-1F91D-200D-1F9D1-1F3FB");
        Assert.DoesNotContain(result.Rows, r => r.Id == "test-style/1F9D1-1F3FB-200D-1F91D-200D-1F9D1-1F3FF");
        Assert.Contains(result.Skipped, s => s.Reason == DataSetBuilder.MultiToneReason);
    }

    [Fact]
    public void HeldOutSplit_NeverSeparatesAConcept()
    {
        (PinnedPackage images, PinnedPackage captions) = _packages.EmojiPackages(SyntheticPackages.Catalogue(extraConcepts: 150));
        (PinnedPackage second, _) = _packages.EmojiPackages(SyntheticPackages.Catalogue(extraConcepts: 150), suffix: "-2");
        DataSource a = SyntheticPackages.Source("style-a", images, "MIT");
        DataSource b = SyntheticPackages.Source("style-b", second, "Apache-2.0");

        DataBuildResult result = Build([a, b], captions);

        var splitsPerConcept = result.Rows.GroupBy(r => r.Concept).Select(g => g.Select(r => r.Split).Distinct().Count());
        Assert.All(splitsPerConcept, n => Assert.Equal(1, n));
        Assert.Contains(result.Rows, r => r.Split == HeldOutSplit.HeldOut);
        Assert.Contains(result.Rows, r => r.Split == HeldOutSplit.Train);
        Assert.All(result.Rows, r => Assert.Equal(HeldOutSplit.Assign(r.Concept), r.Split));
    }

    [Fact]
    public void Notices_CreditWhatWasUsedWithLicenceTexts()
    {
        (DataSource source, PinnedPackage captions) = Standard(licence: "Apache-2.0");

        Build([source], captions);

        string notices = File.ReadAllText(_packages.Options([source], captions).NoticesPath);
        Assert.Contains("### test-art", notices);
        Assert.Contains("fake-emoji-images 1.0.0 (test-style style): 8 images (8 Apache-2.0)", notices);
        Assert.Contains("Apache License\nVersion 2.0", notices);
        Assert.Contains("Copyright (c) 2026 Synthetic Test Author", notices);
        Assert.Contains("Permission is hereby granted", notices);
        Assert.DoesNotContain("Creative Commons Attribution 4.0", notices);
    }

    [Fact]
    public void ChangedPackage_StopsTheBuildBeforeAnythingIsWritten()
    {
        (DataSource source, PinnedPackage captions) = Standard();
        PinnedPackage tampered = captions with { Integrity = "sha512-" + Convert.ToBase64String(new byte[64]) };

        Assert.Throws<PackageIntegrityException>(() => Build([source], tampered));
        Assert.False(File.Exists(_packages.Options([source], captions).ManifestPath));
    }
}
