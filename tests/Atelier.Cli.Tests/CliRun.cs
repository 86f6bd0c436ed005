using System.CommandLine;
using Atelier.Cli.Commands;

// Tests here swap Console.Out and Console.Error, which are process-wide: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Atelier.Cli.Tests;

/// <summary>Runs the <c>atelier</c> command line in-process and captures what it prints.</summary>
internal static class CliRun
{
    public static (int Exit, string Out, string Error) Invoke(params string[] args)
    {
        var root = new RootCommand();
        foreach (Command verb in CommandCatalog.All())
            root.Subcommands.Add(verb);
        var output = new StringWriter();
        var error = new StringWriter();
        TextWriter previousOut = Console.Out, previousError = Console.Error;
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int exit = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }
}
