using System.Text;
using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

public class OptOutRegistryTests
{
    private static readonly PinnedPackage s_package = new("fake-art", "1.0.0", "sha512-x");

    private static SourceItem Item(string codepoints, string label, string conceptLabel) =>
        new("twemoji", s_package, "img/x.png", codepoints, Codepoints.Concept(codepoints), "CC-BY-4.0", null, "twemoji", "Twemoji contributors",
            new EmojiName(label, [], conceptLabel), () => throw new InvalidOperationException("not rendered in this test"));

    private static readonly SourceItem s_toned = Item("1F44B-1F3FD", "waving hand: medium skin tone", "waving hand");
    private static readonly SourceItem s_pizza = Item("1F355", "pizza", "pizza");
    private static readonly string s_hash = new('a', 64);

    private static OptOutRegistry Parse(string entries) =>
        OptOutRegistry.Parse(Encoding.UTF8.GetBytes($"{{\"format\": \"atelier-opt-out/1\", \"entries\": [{entries}]}}"), "opt-out.json");

    [Theory]
    [InlineData("{\"creator\": \"twemoji\"}")]
    [InlineData("{\"creator\": \"Twemoji Contributors\"}")]
    [InlineData("{\"package\": \"fake-art\"}")]
    [InlineData("{\"package\": \"fake-art@1.0.0\"}")]
    [InlineData("{\"concept\": \"1F44B\"}")]
    [InlineData("{\"concept\": \"1f44b-1f3ff\"}")]
    [InlineData("{\"concept\": \"Waving Hand\"}")]
    [InlineData("{\"sha256\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\", \"note\": \"one image\"}")]
    public void EachKindOfEntry_MatchesTheItemItNames(string entry)
    {
        OptOutRegistry registry = Parse(entry);

        Assert.NotNull(registry.Match(s_toned, s_hash));
    }

    [Theory]
    [InlineData("{\"creator\": \"noto-emoji\"}")]
    [InlineData("{\"package\": \"fake-art@2.0.0\"}")]
    [InlineData("{\"concept\": \"1F44B\"}")]
    [InlineData("{\"concept\": \"waving hand\"}")]
    [InlineData("{\"sha256\": \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}")]
    public void Entries_DoNotMatchOtherItems(string entry) =>
        Assert.Null(Parse(entry).Match(s_pizza, s_hash));

    [Theory]
    [InlineData("{\"creator\": \"a\", \"package\": \"b\"}", "entries[0] names 2 things")]
    [InlineData("{\"note\": \"nothing named\"}", "entries[0] names 0 things")]
    [InlineData("{\"artist\": \"x\"}", "unknown field 'artist'")]
    [InlineData("{\"sha256\": \"abc\"}", "not 64 hexadecimal digits")]
    [InlineData("{\"concept\": \"\"}", "entries[0].concept must be a non-empty string")]
    public void MalformedEntries_AreRejectedWithTheirIndex(string entry, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse(entry));

        Assert.Contains("opt-out.json", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ShippedRegistry_IsValidAndEmpty()
    {
        string path = Path.Combine(Atelier.TestSupport.SharedData.RepoRoot, "models", "atelier-mini", "opt-out.json");

        Assert.Empty(OptOutRegistry.Load(path).Entries);
    }
}
