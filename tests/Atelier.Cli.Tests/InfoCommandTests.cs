using System.CommandLine;
using Atelier.Cli.Commands;

namespace Atelier.Cli.Tests;

public class InfoCommandTests
{
    [Fact]
    public void Catalog_lists_info_verb()
    {
        Assert.Contains(CommandCatalog.All(), c => c.Name == "info");
    }
}
