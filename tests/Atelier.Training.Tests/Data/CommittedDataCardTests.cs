using Atelier.TestSupport;
using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

/// <summary>Checks the committed data card of atelier-mini (produced by `atelier data build`, never in CI).</summary>
public class CommittedDataCardTests
{
    private static readonly string s_manifest = Path.Combine(SharedData.RepoRoot, "models", "atelier-mini", "data", "manifest.tsv");

    [Fact]
    public void Manifest_IsValidAndKeepsEveryConceptOnOneSide()
    {
        IReadOnlyList<ManifestRow> rows = Manifest.Read(s_manifest);

        Assert.NotEmpty(rows);
        Assert.All(rows.GroupBy(r => r.Concept), g => Assert.Single(g.Select(r => r.Split).Distinct()));
        Assert.All(rows, r => Assert.Equal(HeldOutSplit.Assign(r.Concept), r.Split));
        foreach (ManifestRow row in rows)
        {
            string key = row.Id[(row.Id.IndexOf('/') + 1)..];
            if (Codepoints.IsSequence(key))
                Assert.Equal(Codepoints.Concept(key), row.Concept);
        }
    }

    [Fact]
    public void Manifest_IsInTheBytesTheWriterProduces()
    {
        byte[] committed = File.ReadAllBytes(s_manifest);

        Assert.Equal(committed, Manifest.Serialize(Manifest.Read(s_manifest)));
    }
}
