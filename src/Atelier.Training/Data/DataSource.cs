namespace Atelier.Training.Data;

/// <summary>
/// A configured source of training images: a pinned package (plus any package it needs for filtering), a style
/// tag for captions, and how its files become <see cref="SourceItem"/>s. Concrete sources live beside this file,
/// one per package layout; <see cref="CoreSources"/> lists the default set.
/// </summary>
public abstract class DataSource(string name, string style)
{
    /// <summary>Short name used in <c>--sources</c>, ids and output folders, e.g. <c>fluent-3d</c>.</summary>
    public string Name { get; } = name;

    /// <summary>Style phrase in captions, e.g. <c>fluent 3d</c> → "pizza, fluent 3d style".</summary>
    public string Style { get; } = style;

    /// <summary>Every package the source reads; the first holds the art.</summary>
    public abstract IReadOnlyList<PinnedPackage> Packages { get; }

    /// <summary>
    /// Whether an image that fails to render is skipped (and reported) instead of failing the build. False for the
    /// emoji sets, where any failure is a bug; true for collections of hand-made files such as OpenClipart.
    /// </summary>
    public virtual bool SkipsUnrenderable => false;

    /// <summary>External programs the source's rendering needs (keys of <see cref="Rasterizer.ToolPackages"/>).</summary>
    public virtual IReadOnlyList<string> RequiredTools => [];

    /// <summary>Lists the candidates. Files that are not offered are reported through <paramref name="skip"/>.</summary>
    /// <param name="tarballs">Verified tarball path of each of <see cref="Packages"/>.</param>
    /// <param name="lexicon">Captions (emojibase).</param>
    /// <param name="staging">A folder this source may extract files into.</param>
    /// <param name="skip">Receives files not offered, with the reason.</param>
    public abstract IReadOnlyList<SourceItem> Enumerate(
        IReadOnlyDictionary<PinnedPackage, string> tarballs, EmojiLexicon lexicon, string staging, Action<SkippedItem> skip);
}
