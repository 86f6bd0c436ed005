using System.CommandLine;
using Atelier.Tensors;
using Atelier.Training.Mini;

namespace Atelier.Cli.Commands;

/// <summary>The options every <c>atelier train prior|decoder|upsampler</c> stage shares, and their reading.</summary>
internal sealed class MiniStageCommandOptions
{
    private readonly Option<string> _data = new("--data")
    {
        Description = "The built data folder (holding images/…).",
        DefaultValueFactory = _ => Path.Combine("data", "atelier-mini"),
    };
    private readonly Option<string> _manifest = new("--manifest")
    {
        Description = "The data set's manifest.",
        DefaultValueFactory = _ => Path.Combine("models", "atelier-mini", "data", "manifest.tsv"),
    };
    private readonly Option<string> _out;
    private readonly Option<long> _steps;
    private readonly Option<int> _batch;
    private readonly Option<float> _learningRate;
    private readonly Option<long> _warmup = new("--warmup") { Description = "Learning-rate warm-up steps.", DefaultValueFactory = _ => 100 };
    private readonly Option<double?> _minutes = new("--minutes") { Description = "Wall-time budget of this session, in minutes (the run checkpoints and stops; --resume continues)." };
    private readonly Option<long?> _maxSteps = new("--max-steps") { Description = "Stop this session after this many steps." };
    private readonly Option<bool> _resume = new("--resume") { Description = "Continue from the run folder's checkpoint." };
    private readonly Option<int> _threads = new("--threads") { Description = "Compute threads (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
    private readonly Option<ulong> _seed = new("--seed") { Description = "Seed of initialisation, data order, noise and dropout.", DefaultValueFactory = _ => 1 };
    private readonly Option<double> _checkpointMinutes = new("--checkpoint-minutes") { Description = "Minutes between checkpoints.", DefaultValueFactory = _ => 5 };

    public MiniStageCommandOptions(string stage, long steps, int batch, float learningRate)
    {
        _out = new Option<string>("--out") { Description = "Run folder.", DefaultValueFactory = _ => Path.Combine("runs", stage) };
        _steps = new Option<long>("--steps") { Description = "Length of the learning-rate schedule in steps.", DefaultValueFactory = _ => steps };
        _batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => batch };
        _learningRate = new Option<float>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => learningRate };
    }

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _data, _manifest, _out, _steps, _batch, _learningRate, _warmup, _minutes, _maxSteps, _resume, _threads, _seed, _checkpointMinutes })
            command.Options.Add(option);
    }

    public string DataRoot(ParseResult parse) => parse.GetValue(_data)!;

    public string Manifest(ParseResult parse) => parse.GetValue(_manifest)!;

    /// <summary>Applies --threads to the engine and returns the stage options.</summary>
    public MiniStageOptions Read(ParseResult parse)
    {
        int threads = parse.GetValue(_threads);
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1 (got {threads}).");
        EngineThreads.Count = threads;
        double? minutes = parse.GetValue(_minutes);
        return new MiniStageOptions
        {
            OutputDirectory = parse.GetValue(_out)!,
            Steps = parse.GetValue(_steps),
            BatchSize = parse.GetValue(_batch),
            LearningRate = parse.GetValue(_learningRate),
            WarmupSteps = parse.GetValue(_warmup),
            Seed = parse.GetValue(_seed),
            Resume = parse.GetValue(_resume),
            TimeBudget = minutes is { } m ? TimeSpan.FromMinutes(m) : null,
            StepLimit = parse.GetValue(_maxSteps),
            CheckpointInterval = TimeSpan.FromMinutes(parse.GetValue(_checkpointMinutes)),
        };
    }
}
