using System.Diagnostics;
using System.Globalization;
using Atelier.Training.Trainer;
using Spectre.Console;

namespace Atelier.Cli.Progress;

/// <summary>
/// Shows a <see cref="TrainingRun"/> in the terminal: a Spectre.Console progress bar with loss, learning rate,
/// examples/s and ETA when the output is an interactive terminal; a plain line every 30 seconds otherwise (a run
/// started with <c>nohup … &gt; train.out</c>), so the log file shows progress too.
/// </summary>
internal sealed class ConsoleTrainingProgress : ITrainingProgress
{
    private static readonly TimeSpan s_lineInterval = TimeSpan.FromSeconds(30);
    private readonly string _name;
    private readonly ProgressTask? _task;
    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private bool _first = true;

    private ConsoleTrainingProgress(string name, ProgressTask? task)
    {
        _name = name;
        _task = task;
    }

    /// <summary>Runs <paramref name="body"/> with a progress display named <paramref name="name"/>.</summary>
    public static T Run<T>(string name, Func<ITrainingProgress, T> body)
    {
        bool interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        if (!interactive)
            return body(new ConsoleTrainingProgress(name, null));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(name), maxValue: 1);
                result = body(new ConsoleTrainingProgress(name, task));
            });
        return result;
    }

    public void Start(long firstStep, long totalSteps)
    {
        if (_task is not null)
        {
            _task.MaxValue = Math.Max(1, totalSteps);
            _task.Value = firstStep;
        }
        else
        {
            Console.WriteLine($"{_name}: steps {firstStep} → {totalSteps}");
        }
    }

    public void Report(TrainingProgressReport r)
    {
        string text = string.Create(CultureInfo.InvariantCulture,
            $"{_name} {r.Step}/{r.TotalSteps}  loss {r.SmoothedLoss:F4}  lr {r.LearningRate:0.00e+0}  {r.ExamplesPerSecond:F1}/s  ETA {Eta(r.Eta)}");
        if (_task is not null)
        {
            _task.Value = r.Step;
            _task.Description = Markup.Escape(text);
        }
        else if (_first || _sinceLine.Elapsed >= s_lineInterval)
        {
            Console.WriteLine($"{DateTime.Now:HH:mm:ss} {text}");
            _sinceLine.Restart();
        }
        _first = false;
    }

    public void Info(string message)
    {
        if (_task is not null) AnsiConsole.MarkupLineInterpolated($"[grey]{message}[/]");
        else Console.WriteLine($"{DateTime.Now:HH:mm:ss} {message}");
    }

    private static string Eta(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : $"{t.Minutes}m{t.Seconds:00}s";
}
