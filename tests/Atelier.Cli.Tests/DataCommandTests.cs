using System.CommandLine;
using Atelier.Cli.Commands;

namespace Atelier.Cli.Tests;

public class DataCommandTests
{
    [Fact]
    public void Catalog_lists_data_build_with_its_options()
    {
        Command data = Assert.Single(CommandCatalog.All(), c => c.Name == "data");
        Command build = Assert.Single(data.Subcommands, c => c.Name == "build");
        Assert.Equal(["--out", "--cache", "--sources", "--opt-out", "--card"], build.Options.Select(o => o.Name));
    }

    [Fact]
    public void Unknown_source_fails_with_a_message_before_any_download()
    {
        var root = new RootCommand();
        root.Subcommands.Add(DataCommand.Create());
        var output = new StringWriter();
        TextWriter previous = Console.Out;
        Console.SetOut(output);
        int exit;
        try
        {
            exit = root.Parse(["data", "build", "--sources", "apple", "--cache", Path.GetTempPath()]).Invoke();
        }
        finally
        {
            Console.SetOut(previous);
        }

        Assert.Equal(1, exit);
        Assert.Contains("unknown source 'apple'", output.ToString());
    }
}
