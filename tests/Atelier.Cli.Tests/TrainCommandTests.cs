using System.CommandLine;
using Atelier.Cli.Commands;

namespace Atelier.Cli.Tests;

public class TrainCommandTests
{
    [Fact]
    public void Catalog_has_one_train_verb_with_tokenizer_and_clip_first()
    {
        Command train = Assert.Single(CommandCatalog.All(), c => c.Name == "train");
        Assert.Equal(["tokenizer", "clip"], train.Subcommands.Take(2).Select(c => c.Name));
    }

    [Fact]
    public void Train_clip_requires_the_data_folder_and_offers_budget_resume_and_export()
    {
        Command clip = CommandCatalog.All().Single(c => c.Name == "train").Subcommands.Single(c => c.Name == "clip");
        string[] names = clip.Options.Select(o => o.Name).ToArray();
        foreach (string name in new[] { "--data", "--out", "--minutes", "--steps", "--resume", "--export", "--evaluate" })
            Assert.Contains(name, names);
        Assert.True(clip.Options.Single(o => o.Name == "--data").Required);
        Assert.NotEmpty(clip.Parse(["--out", "x"]).Errors);
    }
}
