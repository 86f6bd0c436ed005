using System.Security.Cryptography;

namespace Atelier.Training.Data;

/// <summary>
/// The training-side view of a built data set: the manifest rows of one split whose consent is <c>licensed</c>
/// (opted-out rows are never returned), with their images decoded by a caller-supplied function. The PNG decoder
/// lives in Atelier.Formats (Images/); this class does not depend on it, the trainer passes it in.
/// </summary>
/// <typeparam name="TImage">Whatever the decoder returns (a tensor, an <see cref="RgbaImage"/>…).</typeparam>
public sealed class ManifestDataSet<TImage>
{
    private readonly ManifestRow[] _rows;
    private readonly string _root;
    private readonly Func<string, TImage> _decode;

    private ManifestDataSet(ManifestRow[] rows, string root, Func<string, TImage> decode)
    {
        _rows = rows;
        _root = Path.GetFullPath(root);
        _decode = decode;
    }

    /// <summary>Reads and validates the manifest, keeps the trainable rows of <paramref name="split"/>.</summary>
    /// <param name="manifestPath"><c>models/atelier-mini/data/manifest.tsv</c>.</param>
    /// <param name="dataRoot">The build's output folder (<c>data/atelier-mini</c>); rows' output paths are relative to it.</param>
    /// <param name="split"><c>train</c> or <c>heldout</c>.</param>
    /// <param name="decode">Decodes an image file (full path) into the trainer's image type.</param>
    /// <exception cref="ManifestFormatException">The manifest is malformed (line and column named).</exception>
    public static ManifestDataSet<TImage> Open(string manifestPath, string dataRoot, string split, Func<string, TImage> decode)
    {
        ArgumentNullException.ThrowIfNull(decode);
        if (split is not (HeldOutSplit.Train or HeldOutSplit.HeldOut))
            throw new ArgumentException($"Split '{split}' is not '{HeldOutSplit.Train}' or '{HeldOutSplit.HeldOut}'.", nameof(split));
        ManifestRow[] rows = Manifest.Read(manifestPath).Where(r => r.Split == split && r.IsTrainable).ToArray();
        return new ManifestDataSet<TImage>(rows, dataRoot, decode);
    }

    public int Count => _rows.Length;

    /// <summary>The rows in manifest order (sorted by id).</summary>
    public IReadOnlyList<ManifestRow> Rows => _rows;

    /// <summary>Full path of a row's image.</summary>
    public string ImagePath(int index) => Path.Combine(_root, _rows[index].OutputPath);

    /// <summary>Decodes the image of row <paramref name="index"/> and returns it with the row's default caption.</summary>
    public (TImage Image, string Caption) Load(int index)
    {
        string path = ImagePath(index);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Data set image {path} (manifest id '{_rows[index].Id}') is missing; run `atelier data build`.", path);
        return (_decode(path), _rows[index].Caption);
    }

    /// <summary>
    /// Checks every image against the manifest's sha256 (once, before training): a stale or edited image would
    /// otherwise be trained on under another image's licence and caption.
    /// </summary>
    /// <returns>The ids whose file is missing or differs; empty when all match.</returns>
    public IReadOnlyList<string> FindMismatchedImages()
    {
        var bad = new List<string>();
        for (int i = 0; i < _rows.Length; i++)
        {
            string path = ImagePath(i);
            if (!File.Exists(path))
            {
                bad.Add(_rows[i].Id);
                continue;
            }
            using var stream = File.OpenRead(path);
            if (Convert.ToHexStringLower(SHA256.HashData(stream)) != _rows[i].Sha256)
                bad.Add(_rows[i].Id);
        }
        return bad;
    }
}
