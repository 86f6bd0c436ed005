using System.Diagnostics;
using System.Security.Cryptography;

namespace Atelier.Training.Data;

/// <summary>
/// A folder of npm tarballs (default <c>~/.cache/atelier/packages</c>). <see cref="Fetch"/> returns a verified
/// tarball: a cached file is re-hashed on every build, a missing one is fetched with <c>npm pack name@version</c>
/// (so the machine's npm registry, proxy and CA settings apply), and either way the sha512 must equal the pin.
/// </summary>
public sealed class PackageCache(string directory)
{
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The path of the verified tarball of <paramref name="package"/>, downloading it when absent.</summary>
    /// <exception cref="PackageIntegrityException">The tarball's sha512 differs from the pin (the file is kept for inspection).</exception>
    public string Fetch(PinnedPackage package)
    {
        string path = Path.Combine(Directory, package.TarballFileName);
        if (!File.Exists(path))
            Download(package);
        Verify(package, path);
        return path;
    }

    /// <summary>Throws <see cref="PackageIntegrityException"/> unless the file's SRI digest equals the pin.</summary>
    public static void Verify(PinnedPackage package, string path)
    {
        string actual = package.Integrity.StartsWith("sha256-", StringComparison.Ordinal) ? ComputeSha256Integrity(path) : ComputeIntegrity(path);
        if (!string.Equals(actual, package.Integrity, StringComparison.Ordinal))
            throw new PackageIntegrityException(package, path, actual);
    }

    /// <summary>Subresource Integrity string of a file: <c>sha512-</c> + base64 of its SHA-512.</summary>
    public static string ComputeIntegrity(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha512-" + Convert.ToBase64String(SHA512.HashData(stream));
    }

    /// <summary>Subresource Integrity string of a file with SHA-256 (Debian pins).</summary>
    public static string ComputeSha256Integrity(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha256-" + Convert.ToBase64String(SHA256.HashData(stream));
    }

    private void Download(PinnedPackage package)
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (package.Registry == PackageRegistry.Debian)
        {
            var apt = new ProcessStartInfo("apt-get") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Directory };
            foreach (string arg in new[] { "download", "-qq", $"{package.Name}={package.Version}" })
                apt.ArgumentList.Add(arg);
            ExternalTool.Run(apt, $"apt-get download {package.Name}={package.Version}", "apt-get (Debian) is needed to download " + package.Name);
            string deb = Path.Combine(Directory, package.TarballFileName);
            if (!File.Exists(deb))
                throw new FileNotFoundException($"apt-get download {package.Name}={package.Version} finished but {deb} does not exist.", deb);
            return;
        }
        var start = new ProcessStartInfo("npm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Directory,
        };
        foreach (string arg in new[] { "pack", package.Spec, "--pack-destination", Directory, "--silent" })
            start.ArgumentList.Add(arg);
        ExternalTool.Run(start, $"npm pack {package.Spec}", "npm (Debian package 'npm') is needed to download the pinned source packages");
        string path = Path.Combine(Directory, package.TarballFileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"npm pack {package.Spec} finished but {path} does not exist; expected npm to name the tarball {package.TarballFileName}.", path);
    }
}
