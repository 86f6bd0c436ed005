using System.CommandLine;
using Atelier.Cli.Commands;

// Composition root of the `atelier` command: one verb per file under Commands/.
var root = new RootCommand("Atelier: a self-hosted, fairly trained image-generation studio.");
foreach (Command verb in CommandCatalog.All())
    root.Subcommands.Add(verb);

return await root.Parse(args).InvokeAsync();
