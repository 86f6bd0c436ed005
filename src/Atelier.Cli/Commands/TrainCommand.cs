using System.CommandLine;

namespace Atelier.Cli.Commands;

/// <summary>
/// <c>atelier train …</c>: the stages of the default model, one subcommand (and one file) each. Stages register
/// here in training order.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var train = new Command("train", "Train the default model (atelier-mini) on its openly licensed data set, stage by stage.");
        train.Subcommands.Add(TrainTokenizerCommand.Create());
        train.Subcommands.Add(TrainClipCommand.Create());
        return train;
    }
}
