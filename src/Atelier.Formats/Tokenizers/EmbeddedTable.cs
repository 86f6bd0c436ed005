namespace Atelier.Formats.Tokenizers;

/// <summary>
/// Reads the whitespace-separated text tables embedded from <c>Tokenizers/Data/</c> (see make_tables.py
/// there for their provenance). Lines starting with '#' are comments.
/// </summary>
internal static class EmbeddedTable
{
    public static IEnumerable<string[]> Records(string fileName)
    {
        string resource = "Atelier.Formats.Tokenizers.Data." + fileName;
        using Stream stream = typeof(EmbeddedTable).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded table {resource} is missing from {typeof(EmbeddedTable).Assembly.GetName().Name}; the build must embed Tokenizers/Data/{fileName}.");
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            yield return line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    public static int Hex(string field) => int.Parse(field, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The code points written as hex fields from <paramref name="start"/> on, as a string.</summary>
    public static string CodePoints(string[] fields, int start)
    {
        var builder = new System.Text.StringBuilder();
        for (int i = start; i < fields.Length; i++)
            builder.Append(char.ConvertFromUtf32(Hex(fields[i])));
        return builder.ToString();
    }
}
