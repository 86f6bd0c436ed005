using System.Security.Cryptography;

namespace Atelier.Diffusion.Pipelines;

/// <summary>
/// The short model hash written into generation parameters. For a single-file checkpoint it is AUTOMATIC1111's
/// "AutoV2" hash: the first 10 hex digits of the SHA-256 of the whole file, so images made from the same file in
/// either program name the same model. A diffusers folder has no such convention: Atelier hashes its weight files one
/// after another (text encoder, UNet, VAE, in that order) the same way; that value is only comparable between Atelier runs.
/// </summary>
public static class ModelHash
{
    /// <summary>Hex digits kept (AUTOMATIC1111 shows 10).</summary>
    public const int Length = 10;

    /// <summary>The first <see cref="Length"/> lowercase hex digits of SHA-256 over the files' bytes, in order.</summary>
    public static string Of(IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
            throw new ArgumentException("ModelHash: no files to hash.", nameof(files));
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (string file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                sha.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..Length];
    }
}
