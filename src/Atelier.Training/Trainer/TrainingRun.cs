using System.Diagnostics;
using System.Globalization;
using Atelier.Tensors;

namespace Atelier.Training.Trainer;

/// <summary>
/// The training loop shared by every stage of the default model. Each step: take the next batch of the seeded data
/// order, run the caller's loss function and its backward pass inside one <see cref="TensorScope"/>, clip the
/// global gradient norm, take an AdamW step at the scheduled learning rate, update the EMA, log a TSV row and
/// report progress. Every <see cref="TrainingRunOptions.CheckpointInterval"/> (and when the session ends) it writes
/// the checkpoint, redraws <c>loss.png</c> and runs the optional evaluation. A session ends at the schedule's last
/// step, at the step limit or when the time budget is spent; <see cref="TrainingRunOptions.Resume"/> continues from
/// the checkpoint bit for bit (same weights, moments, EMA, generator state and data position).
/// </summary>
/// <example>
/// <code>
/// var parameters = new TrainableParameters(model);
/// var optimizer = new AdamW(parameters, new AdamWOptions { WeightDecay = 0.1f }, WeightDecayPolicy.LinearAndConvWeights(model));
/// var run = new TrainingRun(parameters, optimizer, new Ema(parameters, 0.999f),
///     new LearningRateSchedule(5e-4f, 200, 4000), new EpochBatchSampler(data.Count, 256, seed), new TorchGenerator(seed),
///     new TrainingRunOptions { OutputDirectory = "runs/clip", Resume = true, TimeBudget = TimeSpan.FromMinutes(30) },
///     progress);
/// TrainingRunResult result = run.Run(step => Loss(model, data, step.Batch, step.Generator));
/// </code>
/// </example>
public sealed class TrainingRun
{
    public const string CheckpointFileName = "checkpoint.safetensors";
    public const string LossPlotFileName = "loss.png";
    public const string EvaluationFileName = "eval.tsv";

    private readonly TrainableParameters _parameters;
    private readonly AdamW _optimizer;
    private readonly Ema? _ema;
    private readonly EpochBatchSampler _sampler;
    private readonly TrainingRunOptions _options;
    private readonly ITrainingProgress? _progress;

    public TrainingRun(TrainableParameters parameters, AdamW optimizer, Ema? ema, LearningRateSchedule schedule,
        EpochBatchSampler sampler, TorchGenerator generator, TrainingRunOptions options, ITrainingProgress? progress = null)
    {
        _parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _ema = ema;
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        _sampler = sampler ?? throw new ArgumentNullException(nameof(sampler));
        Generator = generator ?? throw new ArgumentNullException(nameof(generator));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _progress = progress;
        if (_options.CheckpointInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), _options.CheckpointInterval, "training run: the checkpoint interval must be positive.");
    }

    public LearningRateSchedule Schedule { get; }

    /// <summary>The run's generator (checkpointed with the run).</summary>
    public TorchGenerator Generator { get; }

    /// <summary>Steps taken so far (after a resume: including the earlier sessions').</summary>
    public long Step { get; private set; }

    /// <summary>Training examples processed over all sessions.</summary>
    public long ExamplesSeen { get; private set; }

    /// <summary>Wall-clock seconds spent in training steps over all sessions.</summary>
    public double TrainingSeconds { get; private set; }

    /// <summary>The folder's checkpoint path.</summary>
    public string CheckpointPath => Path.Combine(_options.OutputDirectory, CheckpointFileName);

    /// <summary>
    /// Runs one session. <paramref name="loss"/> computes the scalar loss of a step (it runs inside the step's
    /// scope: no tensor it creates outlives the step). <paramref name="evaluate"/>, if given, runs at every
    /// checkpoint and returns named numbers, appended to <c>eval.tsv</c> and reported.
    /// </summary>
    public TrainingRunResult Run(Func<TrainingStepContext, Tensor> loss, Func<TrainingRun, IReadOnlyDictionary<string, double>>? evaluate = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        Directory.CreateDirectory(_options.OutputDirectory);
        RestoreOrStart();
        var sessionClock = Stopwatch.StartNew();
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        long firstStep = Step;
        long stopStep = _options.StepLimit is { } limit ? Math.Min(Schedule.TotalSteps, Step + limit) : Schedule.TotalSteps;
        _progress?.Start(Step, Schedule.TotalSteps);

        using var log = TrainingLog.Open(Path.Combine(_options.OutputDirectory, TrainingLog.FileName), _options.MetricNames, Step);
        var sinceCheckpoint = Stopwatch.StartNew();
        float smoothedLoss = float.NaN, lastLoss = float.NaN;
        double recentSecondsPerExample = double.NaN;
        IReadOnlyDictionary<string, double>? lastEvaluation = null;
        string stopReason = "schedule complete";

        while (Step < stopStep)
        {
            if (_options.TimeBudget is { } budget && sessionClock.Elapsed >= budget)
            {
                stopReason = "time budget spent";
                break;
            }
            var stepClock = Stopwatch.StartNew();
            int[] batch = _sampler.NextBatch();
            long epoch = _sampler.Position.Epoch;   // the batch's epoch (NextBatch moves on to a new epoch first)
            var context = new TrainingStepContext(Step, epoch, batch, Generator, _options.MetricNames);
            float lossValue;
            using (var scope = TensorScope.Begin())
            {
                Tensor value = loss(context);
                if (value.ElementCount != 1)
                    throw new InvalidOperationException($"training step {Step}: the loss function returned a tensor of shape {value.Shape}; expected a scalar.");
                lossValue = value.Item();
                if (!float.IsFinite(lossValue))
                    throw new ArithmeticException($"training step {Step}: the loss is {lossValue}; the run diverged (lower the learning rate) — resume from the last checkpoint with other settings.");
                value.Backward();
            }
            var (gradientNorm, gradientScale) = GradientClipping.Compute(_parameters, _options.MaxGradientNorm);
            float learningRate = Schedule.At(Step);
            _optimizer.Step(learningRate, gradientScale);
            _optimizer.ZeroGrad();
            _ema?.Update();
            stepClock.Stop();

            double seconds = stepClock.Elapsed.TotalSeconds;
            Step++;
            ExamplesSeen += batch.Length;
            TrainingSeconds += seconds;
            double secondsPerExample = seconds / batch.Length;
            recentSecondsPerExample = double.IsNaN(recentSecondsPerExample) ? secondsPerExample : 0.9 * recentSecondsPerExample + 0.1 * secondsPerExample;
            smoothedLoss = float.IsNaN(smoothedLoss) ? lossValue : 0.95f * smoothedLoss + 0.05f * lossValue;
            lastLoss = lossValue;
            log.Append(Step - 1, epoch, lossValue, learningRate, gradientNorm, TrainingSeconds, 1 / recentSecondsPerExample, context.Metrics);

            double secondsPerStep = recentSecondsPerExample * batch.Length;
            TimeSpan eta = TimeSpan.FromSeconds((stopStep - Step) * secondsPerStep);
            if (_options.TimeBudget is { } b && b - sessionClock.Elapsed < eta)
                eta = b - sessionClock.Elapsed < TimeSpan.Zero ? TimeSpan.Zero : b - sessionClock.Elapsed;
            _progress?.Report(new TrainingProgressReport(Step, Schedule.TotalSteps, lossValue, smoothedLoss, learningRate, 1 / recentSecondsPerExample, eta));

            if (sinceCheckpoint.Elapsed >= _options.CheckpointInterval && Step < stopStep)
            {
                lastEvaluation = Checkpoint(evaluate) ?? lastEvaluation;
                sinceCheckpoint.Restart();
            }
        }
        if (Step >= stopStep && stopStep < Schedule.TotalSteps) stopReason = "step limit reached";
        lastEvaluation = Checkpoint(evaluate) ?? lastEvaluation;
        return new TrainingRunResult(firstStep, Step, Schedule.TotalSteps, ExamplesSeen, TrainingSeconds, sessionClock.Elapsed,
            Process.GetCurrentProcess().TotalProcessorTime - cpuStart, lastLoss, smoothedLoss, stopReason, lastEvaluation);
    }

    private void RestoreOrStart()
    {
        string path = CheckpointPath;
        if (!File.Exists(path))
        {
            if (_options.Resume) _progress?.Info($"no checkpoint in {_options.OutputDirectory}: starting a new run");
            return;
        }
        if (!_options.Resume)
            throw new InvalidOperationException($"{path} exists: pass --resume to continue that run, or choose another output folder.");
        TrainingCheckpointInfo info = TrainingCheckpoint.Restore(path, _parameters, _optimizer, _ema, Generator);
        Step = info.Step;
        _sampler.Position = info.Data;
        ExamplesSeen = info.ImagesSeen;
        TrainingSeconds = info.TrainingSeconds;
        if (info.TotalSteps != Schedule.TotalSteps)
            _progress?.Info($"the checkpoint's schedule had {info.TotalSteps} steps; this session uses {Schedule.TotalSteps}");
        _progress?.Info($"resumed from {path} at step {Step} (epoch {info.Data.Epoch}, {TrainingSeconds / 60:F1} min trained)");
    }

    private IReadOnlyDictionary<string, double>? Checkpoint(Func<TrainingRun, IReadOnlyDictionary<string, double>>? evaluate)
    {
        var info = new TrainingCheckpointInfo(Step, _sampler.Position, Schedule.TotalSteps, TrainingSeconds, ExamplesSeen, _options.Metadata);
        TrainingCheckpoint.Save(CheckpointPath, _parameters, _optimizer, _ema, Generator, info);
        string logPath = Path.Combine(_options.OutputDirectory, TrainingLog.FileName);
        var (steps, losses) = TrainingLog.ReadLoss(logPath);
        if (steps.Length > 0)
            LossCurvePlot.Write(Path.Combine(_options.OutputDirectory, LossPlotFileName), steps, losses, $"TRAINING LOSS (STEP {Step})");
        _progress?.Info($"checkpoint at step {Step} → {CheckpointPath}");
        if (evaluate is null) return null;
        IReadOnlyDictionary<string, double> results;
        using (Autograd.NoGrad())
            results = evaluate(this);
        AppendEvaluation(results);
        _progress?.Info($"eval at step {Step}: " + string.Join(", ", results.Select(r => $"{r.Key} {r.Value.ToString("G4", CultureInfo.InvariantCulture)}")));
        return results;
    }

    private void AppendEvaluation(IReadOnlyDictionary<string, double> results)
    {
        string path = Path.Combine(_options.OutputDirectory, EvaluationFileName);
        string header = "step\t" + string.Join('\t', results.Keys);
        bool fresh = !File.Exists(path) || File.ReadLines(path).FirstOrDefault() != header;
        using var writer = new StreamWriter(path, append: !fresh) { NewLine = "\n" };
        if (fresh) writer.WriteLine(header);
        writer.WriteLine(Step.ToString(CultureInfo.InvariantCulture) + "\t" + string.Join('\t', results.Values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture))));
    }
}
