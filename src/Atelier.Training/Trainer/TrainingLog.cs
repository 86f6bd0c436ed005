using System.Globalization;
using System.Text;

namespace Atelier.Training.Trainer;

/// <summary>
/// The run log <c>log.tsv</c>: a header, then one tab-separated row per step —
/// <c>step epoch loss lr grad_norm seconds examples_per_s</c> and the run's metric columns. <c>step</c> is the
/// 0-based index of the step taken, <c>seconds</c> the cumulative training time. A resumed run drops the rows at
/// or after the checkpoint's step (written before the interruption, then recomputed) and appends.
/// </summary>
public sealed class TrainingLog : IDisposable
{
    public const string FileName = "log.tsv";
    private static readonly string[] s_fixedColumns = ["step", "epoch", "loss", "lr", "grad_norm", "seconds", "examples_per_s"];

    private readonly StreamWriter _writer;
    private readonly int _columns;

    private TrainingLog(StreamWriter writer, int columns)
    {
        _writer = writer;
        _columns = columns;
    }

    /// <summary>Opens (or creates) the log, keeping only the rows before <paramref name="firstStep"/>.</summary>
    public static TrainingLog Open(string path, IReadOnlyList<string> metricNames, long firstStep)
    {
        string header = string.Join('\t', s_fixedColumns.Concat(metricNames));
        var kept = new List<string>();
        if (File.Exists(path) && firstStep > 0)
        {
            string[] lines = File.ReadAllLines(path, Encoding.UTF8);
            if (lines.Length > 0 && lines[0] != header)
                throw new InvalidDataException($"{path}: the log's columns '{lines[0]}' differ from this run's '{header}'; resume with the same options or use another --out.");
            kept.AddRange(lines.Skip(1).Where(l => l.Length > 0 && long.Parse(l.AsSpan(0, l.IndexOf('\t')), CultureInfo.InvariantCulture) < firstStep));
        }
        var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = false };
        writer.WriteLine(header);
        foreach (string line in kept) writer.WriteLine(line);
        writer.Flush();
        return new TrainingLog(writer, s_fixedColumns.Length + metricNames.Count);
    }

    /// <summary>Appends the row of one step.</summary>
    public void Append(long step, long epoch, float loss, float learningRate, float gradientNorm, double seconds, double examplesPerSecond, IReadOnlyList<float> metrics)
    {
        if (s_fixedColumns.Length + metrics.Count != _columns)
            throw new ArgumentException($"training log: {metrics.Count} metric values for {_columns - s_fixedColumns.Length} metric columns.", nameof(metrics));
        var line = new StringBuilder();
        line.Append(step.ToString(CultureInfo.InvariantCulture)).Append('\t')
            .Append(epoch.ToString(CultureInfo.InvariantCulture)).Append('\t')
            .Append(Format(loss)).Append('\t')
            .Append(learningRate.ToString("G6", CultureInfo.InvariantCulture)).Append('\t')
            .Append(Format(gradientNorm)).Append('\t')
            .Append(seconds.ToString("F3", CultureInfo.InvariantCulture)).Append('\t')
            .Append(examplesPerSecond.ToString("F2", CultureInfo.InvariantCulture));
        foreach (float m in metrics) line.Append('\t').Append(Format(m));
        _writer.WriteLine(line.ToString());
        _writer.Flush();
    }

    /// <summary>The (step, loss) pairs of a log file, for the loss plot.</summary>
    public static (double[] Steps, double[] Losses) ReadLoss(string path)
    {
        var steps = new List<double>();
        var losses = new List<double>();
        foreach (string line in File.ReadLines(path, Encoding.UTF8).Skip(1))
        {
            if (line.Length == 0) continue;
            string[] f = line.Split('\t');
            if (f.Length < 3
                || !double.TryParse(f[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double step)
                || !double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double loss))
                throw new InvalidDataException($"{path}: malformed log row '{line}' (expected step, epoch, loss, …).");
            steps.Add(step);
            losses.Add(loss);
        }
        return (steps.ToArray(), losses.ToArray());
    }

    public void Dispose() => _writer.Dispose();

    private static string Format(float value) => float.IsNaN(value) ? "NaN" : value.ToString("G7", CultureInfo.InvariantCulture);
}
