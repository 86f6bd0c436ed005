using Atelier.Formats.Images;
using Atelier.Tensors;
using Atelier.Training.Trainer;

namespace Atelier.Training.Tests.Trainer;

public sealed class TrainingRunTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "atelier-run-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private sealed class Session(string folder, bool resume, long? stepLimit, long totalSteps = 6)
    {
        public TinyRegressor Model { get; } = TinyRegressor.Initialized(42);
        public TrainableParameters? Parameters { get; private set; }
        public Ema? Ema { get; private set; }

        public TrainingRunResult Run(Func<TrainingRun, IReadOnlyDictionary<string, double>>? evaluate = null)
        {
            Parameters = new TrainableParameters(Model);
            var optimizer = new AdamW(Parameters, new AdamWOptions { WeightDecay = 0.1f }, WeightDecayPolicy.LinearAndConvWeights(Model));
            Ema = new Ema(Parameters, 0.9f);
            var run = new TrainingRun(Parameters, optimizer, Ema, new LearningRateSchedule(0.05f, 2, totalSteps),
                new EpochBatchSampler(Inputs.Length / 4, 8, seed: 9), new TorchGenerator(123),
                new TrainingRunOptions
                {
                    OutputDirectory = folder,
                    Resume = resume,
                    StepLimit = stepLimit,
                    CheckpointInterval = TimeSpan.FromHours(1),
                    MaxGradientNorm = 0.5f,
                    MetricNames = ["noise"],
                    Metadata = new Dictionary<string, string> { ["model"] = "tiny" },
                });
            return run.Run(step => Loss(step), evaluate);
        }

        private Tensor Loss(TrainingStepContext step)
        {
            var x = new float[step.Batch.Length * 4];
            var y = new float[step.Batch.Length * 2];
            var noise = new float[x.Length];
            step.Generator.Randn(noise);   // draws from the checkpointed generator
            for (int b = 0; b < step.Batch.Length; b++)
            {
                for (int k = 0; k < 4; k++) x[b * 4 + k] = Inputs[step.Batch[b] * 4 + k] + 0.1f * noise[b * 4 + k];
                y[b * 2] = Inputs[step.Batch[b] * 4] - Inputs[step.Batch[b] * 4 + 1];
                y[b * 2 + 1] = Inputs[step.Batch[b] * 4 + 2] * 0.5f;
            }
            step.Metric("noise", noise[0]);
            var prediction = Model.Forward(Tensor.FromArray(x, [step.Batch.Length, 4]));
            return Ops.MseLoss(prediction, Tensor.FromArray(y, [step.Batch.Length, 2]));
        }
    }

    private static readonly float[] Inputs = new TorchGenerator(77).Randn(40 * 4);

    [Fact]
    public void Resuming_from_a_checkpoint_continues_bit_for_bit()
    {
        string straight = Path.Combine(_root, "straight"), interrupted = Path.Combine(_root, "interrupted");
        var reference = new Session(straight, resume: false, stepLimit: null);
        var full = reference.Run();
        Assert.Equal(6, full.LastStep);

        var first = new Session(interrupted, resume: false, stepLimit: 3);
        Assert.Equal(3, first.Run().LastStep);
        var second = new Session(interrupted, resume: true, stepLimit: null);
        var rest = second.Run();
        Assert.Equal(3, rest.FirstStep);
        Assert.Equal(6, rest.LastStep);

        foreach (var (name, p) in reference.Parameters!.Items)
        {
            var other = second.Parameters!.Items.Single(q => q.Key == name).Value;
            Assert.Equal(p.Value.ToFloatArray(), other.Value.ToFloatArray());
            Assert.Equal(reference.Ema!.Weights()[name].ToFloatArray(), second.Ema!.Weights()[name].ToFloatArray());
        }
        string[] logA = File.ReadAllLines(Path.Combine(straight, TrainingLog.FileName));
        string[] logB = File.ReadAllLines(Path.Combine(interrupted, TrainingLog.FileName));
        Assert.Equal(7, logA.Length);
        Assert.Equal(Columns(logA, [0, 1, 2, 3, 4, 7]), Columns(logB, [0, 1, 2, 3, 4, 7]));

        static string[] Columns(string[] lines, int[] keep) =>
            lines.Select(l => string.Join('\t', keep.Select(i => l.Split('\t')[i]))).ToArray();
    }

    [Fact]
    public void A_run_writes_checkpoint_log_plot_and_evaluations()
    {
        string folder = Path.Combine(_root, "outputs");
        var session = new Session(folder, resume: false, stepLimit: null, totalSteps: 20);
        var result = session.Run(run => new Dictionary<string, double> { ["step_seen"] = run.Step });
        Assert.Equal(20, result.LastStep);
        Assert.Equal(20 * 8, result.ExamplesSeen);
        Assert.True(result.SmoothedLoss < 2, $"smoothed loss {result.SmoothedLoss}");

        var metadata = TrainingCheckpoint.ReadMetadata(Path.Combine(folder, TrainingRun.CheckpointFileName));
        Assert.Equal("20", metadata["step"]);
        Assert.Equal("tiny", metadata["model"]);
        Assert.Equal(TrainingCheckpoint.Format, metadata["format"]);
        var ema = TrainingCheckpoint.ReadWeights(Path.Combine(folder, TrainingRun.CheckpointFileName), TrainingCheckpoint.EmaPrefix);
        Assert.Equal(session.Ema!.Weights()["hidden.weight"].ToFloatArray(), ema["hidden.weight"].ToFloatArray());

        var png = PngDecoder.DecodeFile(Path.Combine(folder, TrainingRun.LossPlotFileName)).Image;
        Assert.Equal((800, 480), (png.Width, png.Height));
        Assert.Equal(["step\tstep_seen", "20\t20"], File.ReadAllLines(Path.Combine(folder, TrainingRun.EvaluationFileName)));
    }

    [Fact]
    public void An_existing_run_is_not_overwritten_without_resume()
    {
        string folder = Path.Combine(_root, "twice");
        new Session(folder, resume: false, stepLimit: 1).Run();
        var e = Assert.Throws<InvalidOperationException>(() => new Session(folder, resume: false, stepLimit: 1).Run());
        Assert.Contains("--resume", e.Message);
    }

    [Fact]
    public void Resume_refuses_a_checkpoint_of_another_model()
    {
        string folder = Path.Combine(_root, "other");
        new Session(folder, resume: false, stepLimit: 1).Run();
        var model = new TinyRegressor(inputs: 4, hidden: 6, outputs: 2);
        Atelier.Nn.Init.Default(model, new TorchGenerator(1));
        var parameters = new TrainableParameters(model);
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Restore(Path.Combine(folder, TrainingRun.CheckpointFileName),
            parameters, new AdamW(parameters, new AdamWOptions()), null, new TorchGenerator()));
        Assert.Contains("hidden.weight", e.Message);
    }
}
