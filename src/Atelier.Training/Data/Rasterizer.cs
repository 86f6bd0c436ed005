using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Atelier.Training.Data;

/// <summary>
/// Turns source art into 64x64 RGBA with Debian's tools, kept outside the C# code as the survey advises:
/// SVG through <c>rsvg-convert -w 64 -h 64</c> (librsvg2-bin), WebP through <c>dwebp -resize 64 64 -pam</c>
/// (webp; PAM is raw RGBA, so no second PNG decode). PNGs already at the target size are decoded as they are.
/// </summary>
public static class Rasterizer
{
    /// <summary>The side of every data-set image (the default model's resolution).</summary>
    public const int Size = 64;

    /// <summary>The Debian package that provides each tool.</summary>
    public static IReadOnlyDictionary<string, string> ToolPackages { get; } = new Dictionary<string, string>
    {
        ["rsvg-convert"] = "librsvg2-bin",
        ["dwebp"] = "webp",
    };

    /// <summary>
    /// Makes sure the <paramref name="tools"/> are on PATH: installs the missing Debian packages with apt-get when
    /// running as root, otherwise fails with the command to run.
    /// </summary>
    /// <param name="tools">Program names, keys of <see cref="ToolPackages"/>.</param>
    /// <param name="log">Receives a line per action taken.</param>
    public static void EnsureTools(IEnumerable<string> tools, Action<string> log)
    {
        string[] missing = tools.Distinct().Where(t => !ExternalTool.IsOnPath(t)).Select(t => ToolPackages[t]).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (missing.Length == 0)
            return;
        string command = "apt-get install -y " + string.Join(' ', missing);
        if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
            throw new InvalidOperationException($"The data build needs the Debian package(s) {string.Join(", ", missing)} (for {string.Join(", ", ToolPackages.Where(t => missing.Contains(t.Value)).Select(t => t.Key))}); run: sudo {command}");
        log($"installing {string.Join(' ', missing)} with apt-get");
        foreach (string[] args in new[] { new[] { "update", "-qq" }, new[] { "install", "-y", "-qq" }.Concat(missing).ToArray() })
        {
            var start = new ProcessStartInfo("apt-get") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in args)
                start.ArgumentList.Add(arg);
            ExternalTool.Run(start, "apt-get " + string.Join(' ', args), "apt-get is needed to install " + string.Join(", ", missing));
        }
    }

    /// <summary>Renders an SVG document to a <see cref="Size"/>x<see cref="Size"/> RGBA image.</summary>
    public static RgbaImage RenderSvg(string svg, string name)
    {
        var start = new ProcessStartInfo("rsvg-convert") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "-w", "64", "-h", "64", "-f", "png" })
            start.ArgumentList.Add(arg);
        byte[] png = ExternalTool.Run(start, $"rsvg-convert ({name})", "install the Debian package librsvg2-bin", Encoding.UTF8.GetBytes(svg));
        return RequireSize(DataSetPng.Decode(png, $"rsvg-convert output for {name}"), name);
    }

    /// <summary>Renders an SVG document to fit inside <paramref name="side"/>x<paramref name="side"/>, keeping its aspect ratio.</summary>
    public static RgbaImage RenderSvgPage(string svg, int side, string name)
    {
        var start = new ProcessStartInfo("rsvg-convert") { RedirectStandardOutput = true, RedirectStandardError = true };
        string px = side.ToString(CultureInfo.InvariantCulture);
        foreach (string arg in new[] { "-a", "-w", px, "-h", px, "-f", "png" })
            start.ArgumentList.Add(arg);
        byte[] png = ExternalTool.Run(start, $"rsvg-convert ({name})", "install the Debian package librsvg2-bin", Encoding.UTF8.GetBytes(svg));
        return DataSetPng.Decode(png, $"rsvg-convert output for {name}");
    }

    /// <summary>Decodes a WebP file and resizes it to <see cref="Size"/>x<see cref="Size"/> with dwebp.</summary>
    public static RgbaImage RenderWebp(string webpPath, string name)
    {
        var start = new ProcessStartInfo("dwebp") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { webpPath, "-resize", "64", "64", "-pam", "-quiet", "-o", "-" })
            start.ArgumentList.Add(arg);
        byte[] pam = ExternalTool.Run(start, $"dwebp ({name})", "install the Debian package webp");
        return RequireSize(DecodePam(pam, $"dwebp output for {name}"), name);
    }

    /// <summary>Decodes a PNG that must already be <see cref="Size"/>x<see cref="Size"/> (emoji-datasource 64px files).</summary>
    public static RgbaImage DecodePng(byte[] png, string name) => RequireSize(DataSetPng.Decode(png, name), name);

    /// <summary>Reads a Netpbm PAM with <c>TUPLTYPE RGB_ALPHA</c>, <c>DEPTH 4</c>, <c>MAXVAL 255</c> (what dwebp -pam writes).</summary>
    public static RgbaImage DecodePam(byte[] pam, string name)
    {
        int offset = 0;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string? line;
        bool first = true;
        while ((line = ReadLine(pam, ref offset)) is not null && line != "ENDHDR")
        {
            if (first)
            {
                if (line != "P7")
                    throw new InvalidDataException($"{name}: not a PAM image (first line '{line}', expected 'P7').");
                first = false;
                continue;
            }
            int space = line.IndexOf(' ');
            if (space > 0)
                fields[line[..space]] = line[(space + 1)..].Trim();
        }
        if (line is null)
            throw new InvalidDataException($"{name}: PAM header has no ENDHDR line.");
        int width = IntField(fields, "WIDTH", name), height = IntField(fields, "HEIGHT", name);
        if (IntField(fields, "DEPTH", name) != 4 || IntField(fields, "MAXVAL", name) != 255)
            throw new InvalidDataException($"{name}: PAM DEPTH {fields["DEPTH"]} MAXVAL {fields["MAXVAL"]}; expected DEPTH 4 (RGBA) and MAXVAL 255.");
        long bytes = (long)width * height * 4;
        if (pam.Length - offset != bytes)
            throw new InvalidDataException($"{name}: PAM {width}x{height} needs {bytes} sample bytes after the header, found {pam.Length - offset}.");
        return new RgbaImage(width, height, pam.AsSpan(offset).ToArray());
    }

    private static string? ReadLine(byte[] data, ref int offset)
    {
        if (offset >= data.Length)
            return null;
        int end = Array.IndexOf(data, (byte)'\n', offset);
        if (end < 0)
            return null;
        string line = Encoding.ASCII.GetString(data, offset, end - offset);
        offset = end + 1;
        return line;
    }

    private static int IntField(Dictionary<string, string> fields, string key, string name) =>
        fields.TryGetValue(key, out string? value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int result) && result > 0
            ? result
            : throw new InvalidDataException($"{name}: PAM header field {key} is missing or not a positive integer.");

    private static RgbaImage RequireSize(RgbaImage image, string name) =>
        image.Width == Size && image.Height == Size
            ? image
            : throw new InvalidDataException($"{name}: image is {image.Width}x{image.Height}, expected {Size}x{Size}.");
}
