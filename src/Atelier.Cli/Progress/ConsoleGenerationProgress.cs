using System.Diagnostics;
using System.Globalization;
using Atelier.Diffusion.Generation;
using Spectre.Console;

namespace Atelier.Cli.Progress;

/// <summary>
/// Shows denoising steps: a Spectre.Console progress bar with step, it/s and ETA in an interactive terminal; one plain
/// line per step otherwise (redirected output, logs, tests).
/// </summary>
internal sealed class ConsoleGenerationProgress : IProgress<GenerationProgress>
{
    private readonly ProgressTask? _task;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private ConsoleGenerationProgress(ProgressTask? task)
    {
        _task = task;
    }

    /// <summary>Steps reported so far.</summary>
    public int Steps { get; private set; }

    /// <summary>Steps per second since the run started.</summary>
    public double IterationsPerSecond => Steps / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);

    /// <summary>Runs <paramref name="body"/> with a progress display.</summary>
    public static T Run<T>(Func<ConsoleGenerationProgress, T> body)
    {
        // Redirected output is checked first: asking AnsiConsole creates its console, bound to Console.Out as it is now.
        bool interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!interactive)
            return body(new ConsoleGenerationProgress(null));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context => result = body(new ConsoleGenerationProgress(context.AddTask("denoising", maxValue: 1))));
        return result;
    }

    public void Report(GenerationProgress value)
    {
        Steps = value.Step;
        double rate = IterationsPerSecond;
        double eta = (value.Total - value.Step) / Math.Max(1e-9, rate);
        string text = string.Create(CultureInfo.InvariantCulture, $"step {value.Step}/{value.Total}  {rate:F2} it/s");
        if (_task is not null)
        {
            _task.MaxValue = value.Total;
            _task.Value = value.Step;
            _task.Description = text;
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{text}  ETA {eta:F1} s"));
        }
    }
}
