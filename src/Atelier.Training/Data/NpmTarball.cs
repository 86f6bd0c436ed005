using System.Formats.Tar;
using System.IO.Compression;

namespace Atelier.Training.Data;

/// <summary>
/// Reads an npm package tarball (<c>.tgz</c>: gzip over ustar, every entry under one top folder, normally
/// <c>package/</c>). Only the entries a source asks for are extracted, to memory or under a destination folder.
/// Entry names are checked before anything is written: absolute paths, drive letters, backslashes, <c>..</c>
/// segments and link entries are refused with the tarball and entry named, so a hostile package cannot write outside
/// the destination.
/// </summary>
public static class NpmTarball
{
    /// <summary>Reads the regular-file entries whose package-relative path (top folder stripped) passes <paramref name="select"/>.</summary>
    /// <returns>Package-relative path → bytes.</returns>
    public static IReadOnlyDictionary<string, byte[]> Read(string tarballPath, Func<string, bool> select)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        Walk(tarballPath, select, (path, entry) =>
        {
            using var buffer = new MemoryStream();
            entry.DataStream?.CopyTo(buffer);
            files[path] = buffer.ToArray();
        });
        return files;
    }

    /// <summary>Extracts the selected regular files under <paramref name="destination"/>, keeping package-relative paths.</summary>
    /// <returns>The package-relative paths written, in tarball order.</returns>
    public static IReadOnlyList<string> Extract(string tarballPath, string destination, Func<string, bool> select)
    {
        string root = Path.GetFullPath(destination);
        var written = new List<string>();
        Walk(tarballPath, select, (path, entry) =>
        {
            string target = Path.GetFullPath(Path.Combine(root, path));
            // Second line of defence after ValidateEntryName: the resolved path must stay inside the destination.
            if (!target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new InvalidDataException($"{tarballPath}: entry '{entry.Name}' resolves to {target}, outside {root}.");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using (var output = File.Create(target))
                entry.DataStream?.CopyTo(output);
            written.Add(path);
        });
        return written;
    }

    /// <summary>
    /// The package-relative path of a tar entry name (<c>package/img/a.png</c> → <c>img/a.png</c>), or an exception
    /// naming the tarball and entry when the name could escape a destination folder.
    /// </summary>
    public static string ValidateEntryName(string tarballPath, string entryName) => ValidateEntryName(tarballPath, entryName, stripTopFolder: true);

    /// <summary>As above; without <paramref name="stripTopFolder"/> the whole relative path is kept (Debian data trees).</summary>
    public static string ValidateEntryName(string tarballPath, string entryName, bool stripTopFolder)
    {
        if (entryName.Length == 0)
            throw new InvalidDataException($"{tarballPath}: an entry has an empty name.");
        if (entryName.Contains('\\') || entryName.Contains('\0'))
            throw new InvalidDataException($"{tarballPath}: entry '{entryName}' contains a backslash or NUL; refused (path traversal guard).");
        if (entryName.StartsWith('/') || (entryName.Length >= 2 && entryName[1] == ':'))
            throw new InvalidDataException($"{tarballPath}: entry '{entryName}' is an absolute path; refused (path traversal guard).");
        string[] segments = entryName.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s == ".."))
            throw new InvalidDataException($"{tarballPath}: entry '{entryName}' contains a '..' segment; refused (path traversal guard).");
        string[] kept = segments.Where(s => s != ".").ToArray();
        if (!stripTopFolder)
            return kept.Length > 0 ? string.Join('/', kept) : throw new InvalidDataException($"{tarballPath}: entry '{entryName}' names no file.");
        if (kept.Length < 2)
            throw new InvalidDataException($"{tarballPath}: entry '{entryName}' is not under a top folder such as 'package/'.");
        return string.Join('/', kept.Skip(1));
    }

    private static void Walk(string tarballPath, Func<string, bool> select, Action<string, TarEntry> onFile)
    {
        using var file = File.OpenRead(tarballPath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        WalkTar(gzip, tarballPath, select, onFile, stripTopFolder: true, skipLinks: false);
    }

    /// <summary>
    /// Visits the regular files of an uncompressed tar stream whose validated relative path passes
    /// <paramref name="select"/>. Links are refused, or skipped when <paramref name="skipLinks"/> (Debian packages
    /// contain symlinks; they are never followed because only entry data is read).
    /// </summary>
    internal static void WalkTar(Stream tarStream, string label, Func<string, bool> select, Action<string, TarEntry> onFile,
        bool stripTopFolder, bool skipLinks)
    {
        string tarballPath = label;
        using var tar = new TarReader(tarStream, leaveOpen: true);
        TarEntry? entry;
        while ((entry = ReadNext(tar, tarballPath)) is not null)
        {
            if (entry.EntryType is TarEntryType.Directory)
                continue;
            string path = ValidateEntryName(tarballPath, entry.Name, stripTopFolder);
            if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink && skipLinks)
                continue;
            if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                throw new InvalidDataException($"{tarballPath}: entry '{entry.Name}' is a {entry.EntryType} to '{entry.LinkName}'; links are refused (path traversal guard).");
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
                continue; // pax/GNU metadata entries are consumed by TarReader; other kinds carry no file data we use
            if (select(path))
                onFile(path, entry);
        }
    }

    private static TarEntry? ReadNext(TarReader tar, string tarballPath)
    {
        try
        {
            return tar.GetNextEntry();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"{tarballPath}: not a readable gzip/tar package: {e.Message}", e);
        }
    }
}
