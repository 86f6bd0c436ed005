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
        Command train = TrainCommand.Create();
        MiniTrainVerb.AddStages(train);      // stages 2–4 of atelier-mini (prior, decoder, upsampler)
        yield return train;
        yield return EvalCommand.Create();
        yield return MiniCommand.Create();
    }
}
