using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Atelier.Training.Data;

namespace Atelier.Training.Tests.Data;

/// <summary>
/// Small npm-like packages made by the tests (never downloaded): an emoji-datasource look-alike with a few PNGs and
/// an emoji.json, and an emojibase look-alike with en/data.json. Each lives in a fresh temporary folder.
/// </summary>
internal sealed class SyntheticPackages : IDisposable
{
    public const string MitLicence =
        "MIT License\n\nCopyright (c) 2026 Synthetic Test Author\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this test fixture.\n";

    public SyntheticPackages()
    {
        Root = Path.Combine(Path.GetTempPath(), "atelier-data-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Cache);
        File.WriteAllText(ApacheText, "Apache License\nVersion 2.0, January 2004\n(test stand-in)\n");
    }

    public string Root { get; }

    public string Cache => Path.Combine(Root, "cache");

    public string Output => Path.Combine(Root, "out");

    public string Card => Path.Combine(Root, "card");

    public string ApacheText => Path.Combine(Root, "Apache-2.0.txt");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>Writes a .tgz with the given package-relative files under <c>package/</c> and pins it.</summary>
    public PinnedPackage Pack(string name, string version, IReadOnlyDictionary<string, byte[]> files)
    {
        var package = new PinnedPackage(name, version, "sha512-unset");
        string path = Path.Combine(Cache, package.TarballFileName);
        WriteTarball(path, files.Select(f => ("package/" + f.Key, f.Value)));
        return package with { Integrity = PackageCache.ComputeIntegrity(path) };
    }

    public static void WriteTarball(string path, IEnumerable<(string Name, byte[] Data)> entries)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach ((string name, byte[] data) in entries)
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) };
            tar.WriteEntry(entry);
        }
    }

    /// <summary>A 64x64 image filled with one colour (distinct colours give distinct pixels).</summary>
    public static byte[] SolidPng(int seed)
    {
        var pixels = new byte[64 * 64 * 4];
        for (int i = 0; i < pixels.Length; i += 4)
        {
            pixels[i] = (byte)(seed * 37);
            pixels[i + 1] = (byte)(seed * 11 + (i / 4 % 64));
            pixels[i + 2] = (byte)(seed >> 3);
            pixels[i + 3] = 255;
        }
        return PngEncoder.Encode(new RgbaImage(64, 64, pixels));
    }

    /// <summary>One emoji of the fake catalogue.</summary>
    /// <param name="Skins">Skin-variation keys (e.g. "1F3FB" or "1F3FB-1F3FC") → full codepoints.</param>
    public sealed record Emoji(string Unified, string Name, string Label, string[] Tags, int Pixels, (string Key, string Unified, string Label, int Pixels)[]? Skins = null);

    /// <summary>A fake emoji-datasource package (image set "test") and a fake emojibase package for the same emoji.</summary>
    public (PinnedPackage Images, PinnedPackage Captions) EmojiPackages(IReadOnlyList<Emoji> emoji, string suffix = "")
    {
        var files = new Dictionary<string, byte[]> { ["LICENSE"] = Encoding.UTF8.GetBytes(MitLicence) };
        var catalogue = new List<object>();
        var lexicon = new List<object>();
        foreach (Emoji e in emoji)
        {
            files[$"img/test/64/{e.Unified.ToLowerInvariant()}.png"] = SolidPng(e.Pixels);
            var skins = new Dictionary<string, object>();
            foreach (var s in e.Skins ?? [])
            {
                files[$"img/test/64/{s.Unified.ToLowerInvariant()}.png"] = SolidPng(s.Pixels);
                skins[s.Key] = new Dictionary<string, object> { ["unified"] = s.Unified, ["image"] = s.Unified.ToLowerInvariant() + ".png", ["has_img_test"] = true };
            }
            var record = new Dictionary<string, object> { ["unified"] = e.Unified, ["name"] = e.Name, ["image"] = e.Unified.ToLowerInvariant() + ".png", ["has_img_test"] = true };
            if (skins.Count > 0)
                record["skin_variations"] = skins;
            catalogue.Add(record);
            lexicon.Add(new Dictionary<string, object>
            {
                ["hexcode"] = e.Unified,
                ["label"] = e.Label,
                ["tags"] = e.Tags,
                ["version"] = 1,
                ["skins"] = (e.Skins ?? []).Select(s => new Dictionary<string, object> { ["hexcode"] = s.Unified, ["label"] = s.Label, ["version"] = 2 }).ToArray(),
            });
        }
        files["emoji.json"] = JsonSerializer.SerializeToUtf8Bytes(catalogue);
        PinnedPackage images = Pack("fake-emoji-images" + suffix, "1.0.0", files);
        PinnedPackage captions = Pack("fake-emojibase" + suffix, "1.0.0", new Dictionary<string, byte[]>
        {
            ["LICENSE"] = Encoding.UTF8.GetBytes(MitLicence),
            ["en/data.json"] = JsonSerializer.SerializeToUtf8Bytes(lexicon),
        });
        return (images, captions);
    }

    /// <summary>An emoji-datasource source over <paramref name="images"/> that declares <paramref name="licence"/> for every image.</summary>
    public static DataSource Source(string name, PinnedPackage images, string licence, string attribution = "test-art") =>
        new EmojiDatasourceSource(name, name.Replace('-', ' '), images, "test", _ => (licence, null), attribution, "Synthetic Test Author");

    public DataBuildOptions Options(IReadOnlyList<DataSource> sources, PinnedPackage captions, OptOutRegistry? optOut = null) =>
        new(Output, Cache, Card, sources, optOut ?? OptOutRegistry.Empty, "opt-out.json", captions, ApacheText);

    /// <summary>The standard small catalogue: pizza, waving hand (2 tones), people holding hands (one same-tone, one
    /// multi-tone), family (and a ZWJ family drawn identically), France, and <paramref name="extraConcepts"/> plain concepts.</summary>
    public static IReadOnlyList<Emoji> Catalogue(int extraConcepts = 0)
    {
        var list = new List<Emoji>
        {
            new("1F355", "SLICE OF PIZZA", "pizza", ["cheese", "slice"], 1),
            new("1F44B", "WAVING HAND SIGN", "waving hand", ["hand", "hello", "wave"], 2,
                [("1F3FB", "1F44B-1F3FB", "waving hand: light skin tone", 3), ("1F3FF", "1F44B-1F3FF", "waving hand: dark skin tone", 4)]),
            new("1F9D1-200D-1F91D-200D-1F9D1", "PEOPLE HOLDING HANDS", "people holding hands", ["couple", "hand"], 5,
                [("1F3FB-1F3FB", "1F9D1-1F3FB-200D-1F91D-200D-1F9D1-1F3FB", "people holding hands: light skin tone", 6),
                 ("1F3FB-1F3FF", "1F9D1-1F3FB-200D-1F91D-200D-1F9D1-1F3FF", "people holding hands: light skin tone, dark skin tone", 7)]),
            new("1F46A", "FAMILY", "family", ["child"], 8),
            new("1F468-200D-1F469-200D-1F466", "FAMILY: MAN, WOMAN, BOY", "family: man, woman, boy", ["family"], 8),
            new("1F1EB-1F1F7", "FRANCE FLAG", "flag: France", ["FR", "flag"], 9),
        };
        for (int i = 0; i < extraConcepts; i++)
        {
            string hex = (0x1F300 + i).ToString("X4");
            list.Add(new(hex, $"THING {i}", $"thing {i}", [$"tag{i}"], 100 + i));
        }
        return list;
    }
}
