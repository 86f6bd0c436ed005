using System.Security.Cryptography;
using System.Text;

namespace Atelier.Training.Data;

/// <summary>
/// Reads and writes <c>manifest.tsv</c>: UTF-8 without BOM, LF line ends, a header line of
/// <see cref="ManifestRow.Columns"/>, then one tab-separated row per image sorted by id (ordinal). No quoting:
/// fields may not contain tabs or line breaks, which the writer checks. The same rows always give the same bytes.
/// </summary>
public static class Manifest
{
    /// <summary>Writes the rows sorted by id and returns the sha256 (hex) of the bytes written.</summary>
    public static string Write(string path, IEnumerable<ManifestRow> rows)
    {
        byte[] bytes = Serialize(rows);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, bytes);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public static byte[] Serialize(IEnumerable<ManifestRow> rows)
    {
        var text = new StringBuilder();
        text.Append(string.Join('\t', ManifestRow.Columns)).Append('\n');
        string? previous = null;
        foreach (ManifestRow row in rows.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            if (row.Id == previous)
                throw new InvalidOperationException($"Manifest: id '{row.Id}' appears twice.");
            previous = row.Id;
            string[] fields = row.ToFields();
            for (int i = 0; i < fields.Length; i++)
            {
                if (fields[i].AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
                    throw new InvalidOperationException($"Manifest row '{row.Id}': column {ManifestRow.Columns[i]} contains a tab or line break: '{fields[i]}'.");
            }
            text.Append(string.Join('\t', fields)).Append('\n');
        }
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ToString());
    }

    /// <summary>Reads and validates every row.</summary>
    /// <exception cref="ManifestFormatException">A line breaks the format; the message names line and column.</exception>
    public static IReadOnlyList<ManifestRow> Read(string path) =>
        Parse(File.ReadAllText(path, Encoding.UTF8), path);

    public static IReadOnlyList<ManifestRow> Parse(string text, string path)
    {
        string[] lines = text.Split('\n');
        int count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        IReadOnlyList<string> columns = ManifestRow.Columns;
        if (count == 0)
            throw new ManifestFormatException(path, 1, 0, "", "empty file; expected a header line.");
        string[] header = lines[0].Split('\t');
        for (int i = 0; i < Math.Max(header.Length, columns.Count); i++)
        {
            string found = i < header.Length ? header[i] : "(missing)";
            string expected = i < columns.Count ? columns[i] : "(nothing)";
            if (found != expected)
                throw new ManifestFormatException(path, 1, i + 1, expected, $"header says '{found}', expected '{expected}'.");
        }

        var rows = new List<ManifestRow>(count - 1);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int n = 1; n < count; n++)
        {
            int line = n + 1;
            string[] f = lines[n].TrimEnd('\r').Split('\t');
            if (f.Length != columns.Count)
                throw new ManifestFormatException(path, line, 0, "", $"{f.Length} tab-separated columns, expected {columns.Count} ({string.Join(", ", columns)}).");
            for (int i = 0; i < f.Length; i++)
            {
                if (f[i].Length == 0 && columns[i] != "tags")
                    Fail(i, "empty; this column is required.");
            }
            if (!ids.Add(f[0]))
                Fail(0, $"id '{f[0]}' already appeared on an earlier line.");
            if (f[1] is not (HeldOutSplit.Train or HeldOutSplit.HeldOut))
                Fail(1, $"'{f[1]}' is not a split; expected '{HeldOutSplit.Train}' or '{HeldOutSplit.HeldOut}'.");
            if (f[6].StartsWith('/') || f[6].Split('/').Contains("..") || f[6].Contains('\\'))
                Fail(6, $"'{f[6]}' must be a relative path inside the data folder (no leading '/', no '..').");
            if (!LicenceAllowList.IsAllowed(f[7]))
                Fail(7, $"licence '{f[7]}' is not on the allow-list ({string.Join(", ", LicenceAllowList.Allowed)}).");
            if (!ManifestRow.IsSha256(f[12]))
                Fail(12, $"'{f[12]}' is not a sha256 (64 lower-case hex digits).");
            if (f[13] is not (ManifestRow.Licensed or ManifestRow.OptedOut))
                Fail(13, $"'{f[13]}' is not a consent status; expected '{ManifestRow.Licensed}' or '{ManifestRow.OptedOut}'.");
            string[] tags = f[11].Length == 0 ? [] : f[11].Split(';');
            rows.Add(new ManifestRow(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], tags, f[12], f[13]));

            void Fail(int column, string problem) =>
                throw new ManifestFormatException(path, line, column + 1, columns[column], problem);
        }
        return rows;
    }

    /// <summary>sha256 (hex) of a file, as printed at the end of a build.</summary>
    public static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
