using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Atelier.Training.Data;

/// <summary>
/// <c>atelier data build</c>: turns pinned, openly licensed packages into the 64x64 training set of the default model
/// and its data card. Reads top to bottom as the steps it takes; every refusal, skip, merge and opt-out is recorded in
/// the result so the report can account for each file of each package.
/// </summary>
public sealed class DataSetBuilder(DataBuildOptions options, IBuildProgress progress)
{
    /// <summary>
    /// Curation: sequences with two different skin tones (couples, handshakes; 295 per emoji-datasource set) are
    /// dropped. At 64 px the two tones are barely readable, the combinations multiply one drawing 20 times, and the
    /// single-tone variants already teach every tone. They are reported as skipped, not refused: their licence is fine.
    /// </summary>
    public const string MultiToneReason = "multi-tone combination (two different skin tones): dropped by curation, unreadable at 64 px";

    public DataBuildResult Build()
    {
        // 1. External tools the chosen sources need (rsvg-convert, dwebp).
        Rasterizer.EnsureTools(options.Sources.SelectMany(s => s.RequiredTools), progress.Info);

        // 2. Fetch the pinned packages and verify their sha512 integrity.
        var cache = new PackageCache(options.CacheDirectory);
        PinnedPackage[] packages = options.Sources.SelectMany(s => s.Packages).Append(options.CaptionPackage).Distinct().ToArray();
        var tarballs = new Dictionary<PinnedPackage, string>();
        using (IProgressStep step = progress.Begin("fetch + verify packages", packages.Length))
        {
            foreach (PinnedPackage package in packages)
            {
                tarballs[package] = cache.Fetch(package);
                step.Advance();
            }
        }

        // 3. Captions: CLDR labels and keywords from emojibase.
        IReadOnlyDictionary<string, byte[]> captionFiles = NpmTarball.Read(tarballs[options.CaptionPackage], p => p == EmojiLexicon.DataPath);
        if (!captionFiles.TryGetValue(EmojiLexicon.DataPath, out byte[]? captionJson))
            throw new InvalidDataException($"{tarballs[options.CaptionPackage]}: {EmojiLexicon.DataPath} is missing from {options.CaptionPackage.Spec}.");
        EmojiLexicon lexicon = EmojiLexicon.Parse(captionJson, $"{options.CaptionPackage.Spec}/{EmojiLexicon.DataPath}");

        // 4. Candidates from every source.
        var skipped = new List<SkippedItem>();
        var candidates = new List<SourceItem>();
        using (IProgressStep step = progress.Begin("list candidates", options.Sources.Count))
        {
            foreach (DataSource source in options.Sources)
            {
                candidates.AddRange(source.Enumerate(tarballs, lexicon, options.StagingDirectory, skipped.Add));
                step.Advance();
            }
        }

        // 5. Licence allow-list: anything not on it is refused and counted. A package may spell the same codepoints
        //    twice (lobehub has both 0023-fe0f-20e3.webp and 23-fe0f-20e3.webp); the first path in ordinal order is used.
        var refused = new List<RefusedItem>();
        var allowed = new List<SourceItem>();
        foreach (var sameId in candidates.GroupBy(c => c.Id))
        {
            SourceItem[] spellings = sameId.OrderBy(c => c.PackagePath, StringComparer.Ordinal).ToArray();
            foreach (SourceItem other in spellings.Skip(1))
                skipped.Add(new SkippedItem(other.Source, other.PackagePath, "another file of the package has the same codepoints (file-name spelling variant; the first path in ordinal order is used)"));
            SourceItem item = spellings[0];
            string? reason = LicenceAllowList.RefusalReason(item.Licence, item.LicenceNote);
            if (reason is null)
                allowed.Add(item);
            else
                refused.Add(new RefusedItem(item.Id, item.Source, item.PackagePath, item.Licence, reason));
        }

        // 6. Curation: drop multi-tone combinations and items no caption source can name.
        var kept = new List<SourceItem>();
        foreach (SourceItem item in allowed)
        {
            if (item.IsEmoji && Codepoints.DistinctSkinTones(item.Key) >= 2)
                skipped.Add(new SkippedItem(item.Source, item.PackagePath, MultiToneReason));
            else if (item.Name is null)
                skipped.Add(new SkippedItem(item.Source, item.PackagePath, "no caption (label unknown)"));
            else
                kept.Add(item);
        }

        // 7. Render every kept item to a 64x64 RGBA PNG, written the same way whatever the input format.
        var rendered = new byte[kept.Count][];
        using (IProgressStep step = progress.Begin("render 64x64 PNG", kept.Count))
        {
            var failures = new ConcurrentQueue<(int Index, Exception Error)>();
            Parallel.For(0, kept.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                try
                {
                    rendered[i] = PngEncoder.Encode(kept[i].Render());
                }
                catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
                {
                    failures.Enqueue((i, e));
                }
                step.Advance();
            });
            var fatal = failures.Where(f => !options.Sources.First(s => s.Name == kept[f.Index].Source).SkipsUnrenderable).OrderBy(f => f.Index).ToArray();
            if (fatal.Length > 0)
                throw new AggregateException($"{fatal.Length} image(s) failed to render; first: {fatal[0].Error.Message}", fatal.Select(f => f.Error));
            foreach ((int index, Exception error) in failures.OrderBy(f => f.Index))
            {
                string reason = error.Message.Contains("no visible pixel", StringComparison.Ordinal) ? "renders with no visible pixel" : "rsvg-convert cannot render it";
                skipped.Add(new SkippedItem(kept[index].Source, kept[index].PackagePath, reason));
            }
        }
        int[] renderedIndexes = Enumerable.Range(0, kept.Count).Where(i => rendered[i] is not null).ToArray();
        kept = renderedIndexes.Select(i => kept[i]).ToList();
        byte[][] pngs = renderedIndexes.Select(i => rendered[i]).ToArray();
        string[] hashes = pngs.Select(p => Convert.ToHexStringLower(SHA256.HashData(p))).ToArray();

        // 8. Merge exact pixel duplicates within a source. The encoder is deterministic, so equal pixels ⇔ equal sha256.
        var duplicates = new List<DuplicateGroup>();
        var survivors = new List<int>();
        foreach (var group in Enumerable.Range(0, kept.Count).GroupBy(i => (kept[i].Source, hashes[i])))
        {
            int[] members = group.OrderBy(i => kept[i], MostGeneric.Instance).ToArray();
            survivors.Add(members[0]);
            if (members.Length > 1)
            {
                duplicates.Add(new DuplicateGroup(group.Key.Source, kept[members[0]].Id, kept[members[0]].Name!.Label,
                    members.Skip(1).Select(i => kept[i].Id).ToArray(), members.Skip(1).Select(i => kept[i].Name!.Label).ToArray()));
            }
        }
        duplicates.Sort((a, b) => string.CompareOrdinal(a.Kept, b.Kept));

        // 9. Consent, 10. held-out split by concept, then the images and the manifest.
        var rows = new List<ManifestRow>(survivors.Count);
        var optedOut = new List<OptedOutItem>();
        var creators = new Dictionary<string, string>(StringComparer.Ordinal);
        string imagesRoot = Path.Combine(options.OutputDirectory, "images");
        foreach (DataSource source in options.Sources)
        {
            string folder = Path.Combine(imagesRoot, source.Name);
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);   // no stale images from an earlier build
            Directory.CreateDirectory(folder);
        }
        using (IProgressStep step = progress.Begin("write images + manifest", survivors.Count))
        {
            foreach (int i in survivors)
            {
                SourceItem item = kept[i];
                OptOutEntry? optOut = options.OptOut.Match(item, hashes[i]);
                if (optOut is not null)
                    optedOut.Add(new OptedOutItem(item.Id, optOut));
                creators[item.Id] = item.Creator;
                string outputPath = $"images/{item.Source}/{item.Key}.png";
                string outputFile = Path.Combine(options.OutputDirectory, outputPath);
                Directory.CreateDirectory(Path.GetDirectoryName(outputFile)!);
                File.WriteAllBytes(outputFile, pngs[i]);
                DataSource source = options.Sources.First(s => s.Name == item.Source);
                rows.Add(new ManifestRow(
                    item.Id, HeldOutSplit.Assign(item.Concept), item.Source, item.Package.Name, item.Package.Version,
                    item.PackagePath, outputPath, item.Licence, item.Attribution, item.Concept,
                    CaptionBuilder.Build(item.Name!.Label, source.Style, item.Name.Tags), item.Name.Tags,
                    hashes[i], optOut is null ? ManifestRow.Licensed : ManifestRow.OptedOut));
                step.Advance();
            }
        }
        rows.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        optedOut.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        string manifestSha = Manifest.Write(options.ManifestPath, rows);

        var result = new DataBuildResult(options.Sources, tarballs, rows,
            refused.OrderBy(r => r.Id, StringComparer.Ordinal).ToArray(),
            skipped.OrderBy(s => s.Source, StringComparer.Ordinal).ThenBy(s => s.PackagePath, StringComparer.Ordinal).ToArray(),
            duplicates, optedOut, manifestSha, creators);

        // 11. The data card: report and third-party notices.
        DataReport.Write(options, result);
        ThirdPartyNotices.Write(options, result);
        return result;
    }

    /// <summary>
    /// Orders duplicates so the one whose caption describes the shared image best comes first: fewest codepoints
    /// ("family" before "family: man, woman, boy"), then the most gender-neutral person codepoints (Twemoji 16 draws
    /// every family as one silhouette, which "family: adult, child" describes), then the oldest emoji version (a flag
    /// added later that reuses a country's flag, e.g. Sark, yields to the country), then the shortest label, then
    /// codepoints.
    /// </summary>
    internal sealed class MostGeneric : IComparer<SourceItem>
    {
        public static MostGeneric Instance { get; } = new();

        public int Compare(SourceItem? x, SourceItem? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            int c = Length(x).CompareTo(Length(y));
            if (c == 0)
                c = NeutralPeople(y.Key).CompareTo(NeutralPeople(x.Key));
            if (c == 0)
                c = (x.Name?.Version ?? EmojiName.UnknownVersion).CompareTo(y.Name?.Version ?? EmojiName.UnknownVersion);
            if (c == 0)
                c = (x.Name?.Label.Length ?? int.MaxValue).CompareTo(y.Name?.Label.Length ?? int.MaxValue);
            return c != 0 ? c : string.CompareOrdinal(x.Key, y.Key);
        }

        private static int Length(SourceItem item) => item.IsEmoji ? Codepoints.Length(item.Key) : 1;

        // U+1F9D1 PERSON (adult), U+1F9D2 CHILD, U+1F9D3 OLDER PERSON: Unicode's gender-neutral people.
        private static int NeutralPeople(string codepoints) =>
            codepoints.Split('-').Count(p => p is "1F9D1" or "1F9D2" or "1F9D3");
    }
}
