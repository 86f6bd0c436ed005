namespace Atelier.Formats.Checkpoints;

/// <summary>
/// Config files written by Python's <c>json.dump</c> may contain the non-standard literals <c>NaN</c>,
/// <c>Infinity</c> and <c>-Infinity</c> (diffusers' DPMSolverMultistepScheduler saves
/// <c>"lambda_min_clipped": -Infinity</c>). System.Text.Json rejects them, so they are turned into the strings
/// <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> before parsing; <see cref="ConfigReader"/> accepts exactly those
/// strings where a number is expected. Text inside JSON strings is never touched.
/// </summary>
public static class PythonJson
{
    public static byte[] QuoteNonFiniteLiterals(ReadOnlySpan<byte> json)
    {
        var output = new List<byte>(json.Length + 16);
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            byte c = json[i];
            if (inString)
            {
                output.Add(c);
                if (c == (byte)'\\' && i + 1 < json.Length)
                    output.Add(json[++i]);
                else if (c == (byte)'"')
                    inString = false;
                continue;
            }
            if (c == (byte)'"')
            {
                inString = true;
                output.Add(c);
                continue;
            }
            if (TryLiteral(json, i, "-Infinity"u8) || TryLiteral(json, i, "Infinity"u8) || TryLiteral(json, i, "NaN"u8))
            {
                int length = json[i] == (byte)'-' ? 9 : json[i] == (byte)'I' ? 8 : 3;
                output.Add((byte)'"');
                output.AddRange(json.Slice(i, length));
                output.Add((byte)'"');
                i += length - 1;
                continue;
            }
            output.Add(c);
        }
        return [.. output];
    }

    private static bool TryLiteral(ReadOnlySpan<byte> json, int at, ReadOnlySpan<byte> literal)
    {
        if (!json[at..].StartsWith(literal))
            return false;
        int end = at + literal.Length;
        // Not part of a longer identifier (which would be invalid JSON anyway and is left for the parser to report).
        return end == json.Length || !char.IsAsciiLetterOrDigit((char)json[end]);
    }
}
