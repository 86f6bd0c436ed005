using System.CommandLine;
using System.Diagnostics;
using Atelier.Training.Data;
using Spectre.Console;

namespace Atelier.Cli.Commands;

/// <summary>
/// <c>atelier data build</c>: fetches the pinned, openly licensed packages, renders the 64x64 training images of the
/// default model and writes its data card (manifest, report, third-party notices). Never run in CI.
/// </summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var data = new Command("data", "Build and inspect the default model's openly licensed training set.");
        data.Subcommands.Add(CreateBuild());
        return data;
    }

    private static Command CreateBuild()
    {
        var output = new Option<string>("--out")
        {
            Description = "Folder for the 64x64 images (not committed).",
            DefaultValueFactory = _ => Path.Combine("data", "atelier-mini"),
        };
        var cache = new Option<string>("--cache")
        {
            Description = "Folder of downloaded package tarballs.",
            DefaultValueFactory = _ => DataBuildOptions.DefaultCacheDirectory,
        };
        var sources = new Option<string>("--sources")
        {
            Description = $"Comma-separated sources, of: {string.Join(",", CoreSources.Known.Select(s => s.Name))}.",
            DefaultValueFactory = _ => string.Join(",", CoreSources.Known.Select(s => s.Name)),
        };
        var optOut = new Option<string>("--opt-out")
        {
            Description = "Opt-out registry (JSON, format atelier-opt-out/1).",
            DefaultValueFactory = _ => Path.Combine("models", "atelier-mini", "opt-out.json"),
        };
        var card = new Option<string>("--card")
        {
            Description = "Model folder receiving data/manifest.tsv, data/report.md and THIRD_PARTY_NOTICES.md.",
            DefaultValueFactory = _ => Path.Combine("models", "atelier-mini"),
        };

        var build = new Command("build", "Fetch the pinned packages, render 64x64 RGBA images, write manifest, report and notices.")
        {
            output, cache, sources, optOut, card,
        };
        build.SetAction(parse =>
        {
            try
            {
                return Run(parse, output, cache, sources, optOut, card);
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException
                or ArgumentException or PackageIntegrityException or AggregateException or KeyNotFoundException)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]data build failed:[/] {e.Message}");
                return 1;
            }
        });
        return build;
    }

    private static int Run(ParseResult parse, Option<string> output, Option<string> cache, Option<string> sources,
        Option<string> optOut, Option<string> card)
    {
        string optOutPath = parse.GetValue(optOut)!;
        var options = new DataBuildOptions(
            parse.GetValue(output)!, ExpandHome(parse.GetValue(cache)!), parse.GetValue(card)!,
            CoreSources.Select(parse.GetValue(sources)!), OptOutRegistry.Load(optOutPath), optOutPath,
            CoreSources.Captions);
        var clock = Stopwatch.StartNew();
        DataBuildResult result = null!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context => result = new DataSetBuilder(options, new SpectreProgress(context)).Build());
        clock.Stop();
        PrintSummary(result, options, clock.Elapsed);
        return 0;
    }

    private static void PrintSummary(DataBuildResult result, DataBuildOptions options, TimeSpan elapsed)
    {
        var table = new Table().AddColumns("source", "licence", "train", "heldout", "opted-out", "refused", "skipped", "merged");
        foreach (DataSource source in result.Sources)
        {
            ManifestRow[] rows = result.Rows.Where(r => r.Source == source.Name).ToArray();
            string licences = string.Join(", ", rows.Select(r => r.Licence).Distinct().Order(StringComparer.Ordinal));
            table.AddRow(source.Name, licences,
                rows.Count(r => r.IsTrainable && r.Split == HeldOutSplit.Train).ToString(),
                rows.Count(r => r.IsTrainable && r.Split == HeldOutSplit.HeldOut).ToString(),
                rows.Count(r => !r.IsTrainable).ToString(),
                result.Refused.Count(r => r.Source == source.Name).ToString(),
                result.Skipped.Count(s => s.Source == source.Name).ToString(),
                result.Duplicates.Where(d => d.Source == source.Name).Sum(d => d.Merged.Count).ToString());
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"images    {result.Rows.Count} under {Path.GetFullPath(options.OutputDirectory)}");
        AnsiConsole.MarkupLineInterpolated($"manifest  {options.ManifestPath}");
        AnsiConsole.MarkupLineInterpolated($"report    {options.ReportPath}");
        AnsiConsole.MarkupLineInterpolated($"notices   {options.NoticesPath}");
        AnsiConsole.MarkupLineInterpolated($"manifest sha256 {result.ManifestSha256}");
        AnsiConsole.MarkupLineInterpolated($"wall time {elapsed.TotalSeconds:F1} s");
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'))
            : path;

    private sealed class SpectreProgress(ProgressContext context) : IBuildProgress
    {
        public IProgressStep Begin(string description, int total) =>
            new Step(context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total)));

        public void Info(string message) => AnsiConsole.MarkupLineInterpolated($"[grey]{message}[/]");

        private sealed class Step(ProgressTask task) : IProgressStep
        {
            public void Advance(int units = 1) => task.Increment(units);

            public void Dispose() => task.Value = task.MaxValue;
        }
    }
}
