using System.CommandLine;
using Atelier.Cli.Commands;

namespace Atelier.Cli.Tests;

public class MiniCommandsTests
{
    [Fact]
    public void Catalog_lists_the_stages_eval_and_mini_verbs()
    {
        Command train = Assert.Single(CommandCatalog.All(), c => c.Name == "train");
        foreach (string stage in new[] { "embeddings", "prior", "decoder", "upsampler", "ship" })
            Assert.Contains(train.Subcommands, c => c.Name == stage);
        Assert.Contains(CommandCatalog.All(), c => c.Name == "eval");
        Command mini = Assert.Single(CommandCatalog.All(), c => c.Name == "mini");
        Assert.Equal(["generate", "vary", "edit"], mini.Subcommands.Select(c => c.Name));
    }

    [Fact]
    public void Decoder_without_an_embedding_cache_fails_with_a_message()
    {
        string folder = Path.Combine(Path.GetTempPath(), "atelier-mini-cli-" + Guid.NewGuid().ToString("N"));
        string manifest = Path.Combine(SharedRepo.Root, "models", "atelier-mini", "data", "manifest.tsv");
        var (exit, output) = Invoke(["train", "decoder", "--data", folder, "--manifest", manifest, "--cache", folder, "--out", folder, "--threads", "1"]);
        Assert.Equal(1, exit);
        Assert.Contains("train decoder failed", output);
        Assert.False(Directory.Exists(Path.Combine(folder, "decoder")));
    }

    [Fact]
    public void Mini_generate_without_a_model_names_the_missing_file()
    {
        string folder = Path.Combine(Path.GetTempPath(), "atelier-mini-cli-" + Guid.NewGuid().ToString("N"));
        var (exit, output) = Invoke(["mini", "generate", "--prompt", "cat", "--model", folder, "--out", Path.Combine(folder, "x.png")]);
        Assert.Equal(1, exit);
        Assert.Contains("clip.json", output);
    }

    private static (int Exit, string Output) Invoke(string[] args)
    {
        var root = new RootCommand();
        foreach (Command verb in CommandCatalog.All()) root.Subcommands.Add(verb);
        var output = new StringWriter();
        TextWriter previous = Console.Out;
        Console.SetOut(output);
        try
        {
            int exit = root.Parse(args).Invoke();
            return (exit, output.ToString());
        }
        finally
        {
            Console.SetOut(previous);
        }
    }
}

/// <summary>The repository root (the folder holding Atelier.slnx).</summary>
internal static class SharedRepo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Atelier.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("Atelier.slnx not found above " + AppContext.BaseDirectory);
    }
}
