using System.Diagnostics;

namespace Atelier.Training.Data;

/// <summary>
/// Reads files out of a Debian <c>.deb</c> without installing it: <c>dpkg-deb --fsys-tarfile</c> streams the data
/// tar (whatever its compression) and the entries are read in-process with the same path checks as npm tarballs.
/// Symlinks in the package are skipped, never followed.
/// </summary>
public static class DebianArchive
{
    /// <summary>Regular files whose path (e.g. <c>usr/share/openclipart/svg/animals/bat.svg</c>) passes <paramref name="select"/>.</summary>
    public static IReadOnlyDictionary<string, byte[]> Read(string debPath, Func<string, bool> select)
    {
        var start = new ProcessStartInfo("dpkg-deb") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "--fsys-tarfile", debPath })
            start.ArgumentList.Add(arg);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"dpkg-deb --fsys-tarfile {debPath}: did not start.");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        NpmTarball.WalkTar(process.StandardOutput.BaseStream, debPath, select, (path, entry) =>
        {
            using var buffer = new MemoryStream();
            entry.DataStream?.CopyTo(buffer);
            files[path] = buffer.ToArray();
        }, stripTopFolder: false, skipLinks: true);
        process.StandardOutput.BaseStream.CopyTo(Stream.Null);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dpkg-deb --fsys-tarfile {debPath}: exit code {process.ExitCode}: {stderr.Result.Trim()}");
        return files;
    }
}
