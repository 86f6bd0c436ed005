using System.ComponentModel;
using System.Diagnostics;

namespace Atelier.Training.Data;

/// <summary>
/// Runs the build's helper programs (npm, rsvg-convert, dwebp, apt-get) and turns every failure into an exception
/// that names the command, the exit code and the tool's own error output.
/// </summary>
internal static class ExternalTool
{
    /// <summary>Runs to completion; returns standard output as bytes (images come back on stdout).</summary>
    /// <param name="start">Must redirect standard output and error.</param>
    /// <param name="what">The command as a person would type it, for messages.</param>
    /// <param name="missingHint">What to install when the program cannot be started.</param>
    /// <param name="input">Bytes for standard input, or null.</param>
    public static byte[] Run(ProcessStartInfo start, string what, string missingHint, byte[]? input = null)
    {
        start.RedirectStandardInput = input is not null;
        start.UseShellExecute = false;
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{what}: the process did not start.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{what}: cannot start '{start.FileName}' ({e.Message}); {missingHint}.", e);
        }

        using (process)
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            Task writer = Task.CompletedTask;
            if (input is not null)
            {
                writer = Task.Run(() =>
                {
                    try
                    {
                        process.StandardInput.BaseStream.Write(input);
                    }
                    catch (IOException)
                    {
                        // The tool exited early; its exit code and stderr say why.
                    }
                    finally
                    {
                        process.StandardInput.Close();
                    }
                });
            }
            using var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            writer.Wait();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{what}: exit code {process.ExitCode}: {stderr.Result.Trim()}");
            return output.ToArray();
        }
    }

    /// <summary>Whether <paramref name="program"/> is an executable file on PATH.</summary>
    public static bool IsOnPath(string program)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path))
            return false;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
    }
}
