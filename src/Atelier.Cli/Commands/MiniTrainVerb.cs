using System.CommandLine;
using System.Globalization;
using Atelier.Training.Trainer;

namespace Atelier.Cli.Commands;

/// <summary>
/// Registration of atelier-mini's stages 2–4 under <c>atelier train</c> (the verb of <see cref="TrainCommand"/>), and
/// what the stage commands share.
/// </summary>
internal static class MiniTrainVerb
{
    public static void AddStages(Command train)
    {
        train.Subcommands.Add(TrainEmbeddingsCommand.Create());
        train.Subcommands.Add(TrainPriorCommand.Create());
        train.Subcommands.Add(TrainDecoderCommand.Create());
        train.Subcommands.Add(TrainUpsamplerCommand.Create());
        train.Subcommands.Add(TrainShipCommand.Create());
    }

    /// <summary>Runs a stage; input errors become one line on standard output and exit code 1.</summary>
    public static int Guard(string name, Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException or ArgumentException
            or ArithmeticException or KeyNotFoundException or AggregateException)
        {
            string message = e is AggregateException aggregate ? aggregate.Flatten().InnerExceptions[0].Message : e.Message;
            Console.WriteLine($"{name} failed: {message}");
            return 1;
        }
    }

    public static void PrintResult(string stage, TrainingRunResult r, string weightsPath)
    {
        string evaluation = r.Evaluation is null ? "" : "; eval " + string.Join(", ", r.Evaluation.Select(p => $"{p.Key} {p.Value.ToString("G4", CultureInfo.InvariantCulture)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{stage}: steps {r.FirstStep} → {r.LastStep} of {r.TotalSteps} ({r.StopReason}); loss {r.SmoothedLoss:F4} (smoothed); "
            + $"session wall {r.SessionWallTime.TotalMinutes:F1} min, CPU {r.SessionCpuTime.TotalMinutes:F1} min; "
            + $"all sessions {r.TrainingSeconds / 60:F1} min in steps, {r.ExamplesSeen:N0} examples{evaluation}; weights → {weightsPath}"));
    }
}
