using System.CommandLine;

namespace Atelier.Cli.Commands;

/// <summary>The verbs of the <c>atelier</c> command, in the order `--help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return InfoCommand.Create();
        yield return DataCommand.Create();
        yield return GenerateCommand.Create();
        yield return TrainCommand.Create();
    }
}
