using System.Diagnostics;
using Atelier.TestSupport;

namespace Atelier.Formats.Tests.Images;

/// <summary>
/// Runs tools/png-corpus.py with Debian's /usr/bin/python3 and python3-pil (installed by .ci/install). Tests that need
/// it skip with the reason when either is missing.
/// </summary>
internal static class PngCorpusScript
{
    private const string Python = "/usr/bin/python3";
    private static readonly Lazy<string?> s_unavailable = new(FindProblem);

    public static string ScriptPath => Path.Combine(SharedData.RepoRoot, "tools", "png-corpus.py");

    /// <summary>Skips the calling test when the script cannot run here.</summary>
    public static void SkipUnlessAvailable() => Skip.If(s_unavailable.Value is not null, s_unavailable.Value);

    /// <summary>Runs the script with the arguments; returns its exit code and combined output.</summary>
    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ScriptPath);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}.");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException($"{ScriptPath} {string.Join(' ', arguments)} did not finish within 2 minutes.");
        }
        return (process.ExitCode, stdout + stderr.Result);
    }

    private static string? FindProblem()
    {
        if (!File.Exists(Python))
            return $"{Python} is absent; the PNG corpus needs Debian's python3 and python3-pil (.ci/install installs them).";
        if (!File.Exists(ScriptPath))
            return $"{ScriptPath} is absent.";
        var start = new ProcessStartInfo(Python, ["-c", "import PIL"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode == 0 ? null : "python3-pil is not installed (apt-get install -y python3-pil; .ci/install does it); the PNG corpus is written with PIL.";
    }
}
