using System.Globalization;
using Atelier.Tensors;

namespace Atelier.Training.Trainer;

/// <summary>
/// Everything needed to continue a run bit for bit, in one safetensors file: the weights (<c>model.*</c>), the EMA
/// weights (<c>ema.*</c>), the AdamW moments and step counts (<c>optim.*</c>), the generator state
/// (<c>generator.state</c>, U8) and, in the metadata, the step, the data-order position, the schedule length, the
/// time and examples so far and the run's own keys. All floats are stored as F32, exactly. The file is written under
/// a temporary name and renamed when complete, so a run killed at any moment leaves the previous checkpoint intact.
/// </summary>
public static class TrainingCheckpoint
{
    public const string Format = "atelier-training-checkpoint/1";
    public const string ModelPrefix = "model.";
    public const string EmaPrefix = "ema.";
    public const string OptimizerPrefix = "optim.";
    public const string GeneratorKey = "generator.state";

    private static readonly string[] s_reservedKeys =
        ["format", "step", "epoch", "offset", "total_steps", "training_seconds", "images_seen", "ema_updates"];

    public static void Save(string path, TrainableParameters parameters, AdamW optimizer, Ema? ema, TorchGenerator generator, TrainingCheckpointInfo info)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(info);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, p) in parameters.Items)
            tensors.Add(new(ModelPrefix + name, p.Value));
        if (ema is not null)
            foreach (var (name, t) in ema.Weights())
                tensors.Add(new(EmaPrefix + name, t));
        foreach (var (name, t) in optimizer.StateTensors())
            tensors.Add(new(OptimizerPrefix + name, t));
        byte[] state = generator.GetState();
        tensors.Add(new(GeneratorKey, Tensor.FromArray(state, [state.Length])));

        var metadata = new List<KeyValuePair<string, string>>
        {
            new("format", Format),
            new("step", Text(info.Step)),
            new("epoch", Text(info.Data.Epoch)),
            new("offset", Text(info.Data.Offset)),
            new("total_steps", Text(info.TotalSteps)),
            new("training_seconds", info.TrainingSeconds.ToString("R", CultureInfo.InvariantCulture)),
            new("images_seen", Text(info.ImagesSeen)),
            new("ema_updates", Text(ema?.Updates ?? 0)),
        };
        foreach (var (key, value) in info.Extra)
        {
            if (s_reservedKeys.Contains(key))
                throw new ArgumentException($"checkpoint {path}: metadata key '{key}' is reserved for the trainer.", nameof(info));
            metadata.Add(new(key, value));
        }
        WeightsFile.Write(path, tensors, metadata);
    }

    /// <summary>Loads a checkpoint into the run's objects (copies) and returns its scalar state.</summary>
    /// <exception cref="InvalidDataException">The file is not a trainer checkpoint or does not fit the model (names every problem).</exception>
    public static TrainingCheckpointInfo Restore(string path, TrainableParameters parameters, AdamW optimizer, Ema? ema, TorchGenerator generator)
    {
        var (tensors, metadata) = WeightsFile.Read(path);
        if (!metadata.TryGetValue("format", out string? format) || format != Format)
            throw new InvalidDataException($"{path}: not a training checkpoint (metadata format is '{format ?? "absent"}', expected '{Format}').");
        parameters.Load(WithPrefix(tensors, ModelPrefix), path);
        optimizer.LoadState(WithPrefix(tensors, OptimizerPrefix), path);
        long emaUpdates = Number(metadata, "ema_updates", path);
        if (ema is not null)
        {
            var emaWeights = WithPrefix(tensors, EmaPrefix);
            if (emaWeights.Count == 0)
                throw new InvalidDataException($"{path}: the run keeps an EMA but the checkpoint has no '{EmaPrefix}*' tensors.");
            ema.Load(emaWeights, emaUpdates, path);
        }
        if (!tensors.TryGetValue(GeneratorKey, out var state) || state.DType != DType.U8)
            throw new InvalidDataException($"{path}: '{GeneratorKey}' (U8) is missing.");
        generator.SetState(state.ToArray<byte>());

        var extra = metadata.Where(p => !s_reservedKeys.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new TrainingCheckpointInfo(
            Number(metadata, "step", path),
            new DataOrderPosition(Number(metadata, "epoch", path), checked((int)Number(metadata, "offset", path))),
            Number(metadata, "total_steps", path),
            double.Parse(metadata.GetValueOrDefault("training_seconds") ?? "0", CultureInfo.InvariantCulture),
            Number(metadata, "images_seen", path),
            extra);
    }

    /// <summary>One family of weights of a checkpoint (<see cref="ModelPrefix"/> or <see cref="EmaPrefix"/>), by parameter name.</summary>
    public static Dictionary<string, Tensor> ReadWeights(string path, string prefix)
    {
        var (tensors, _) = WeightsFile.Read(path);
        var weights = WithPrefix(tensors, prefix);
        if (weights.Count == 0)
            throw new InvalidDataException($"{path}: no '{prefix}*' tensors in this checkpoint.");
        return weights;
    }

    /// <summary>The run metadata of a checkpoint without loading its tensors.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path) => WeightsFile.Read(path).Metadata;

    private static Dictionary<string, Tensor> WithPrefix(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[prefix.Length..], p => p.Value, StringComparer.Ordinal);

    private static long Number(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out string? text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new InvalidDataException($"{path}: checkpoint metadata '{key}' is missing or not an integer ('{text}').");

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
