using System.Text.Json;
using Atelier.Formats.Safetensors;

namespace Atelier.Formats.Checkpoints;

/// <summary>
/// Finds and opens the safetensors weights of one diffusers component folder: <c>{base}.safetensors</c>, a variant
/// <c>{base}.{variant}.safetensors</c>, or shards listed by <c>{base}.safetensors.index[.{variant}].json</c>
/// (<c>base</c> = <c>diffusion_pytorch_model</c> for diffusers models, <c>model</c> for transformers models).
/// Pickle weights (<c>.bin</c>, <c>.ckpt</c>, <c>.pt</c>, <c>.pth</c>) are refused with the reason and a conversion hint.
/// </summary>
internal static class WeightFiles
{
    public static (List<SafetensorsFile> Files, List<CheckpointTensor> Tensors) Open(string folder, string baseName, string? variant, List<string> notes)
    {
        if (!Directory.Exists(folder))
            throw new CheckpointFormatException(folder, null, "the component folder is missing.");

        string suffix = variant is null ? "" : "." + variant;
        string single = Path.Combine(folder, $"{baseName}{suffix}.safetensors");
        string index = Path.Combine(folder, variant is null ? $"{baseName}.safetensors.index.json" : $"{baseName}.safetensors.index.{variant}.json");

        if (File.Exists(single))
            return OpenSingle(single);
        if (File.Exists(index))
            return OpenSharded(folder, index);

        RefusePickleWeights(folder, baseName, suffix);

        if (variant is null)
        {
            var variants = FindVariants(folder, baseName);
            if (variants.Count == 1)
            {
                notes.Add($"{folder}: no {baseName}.safetensors; using the only variant present, '{variants[0]}'.");
                return Open(folder, baseName, variants[0], notes);
            }
            if (variants.Count > 1)
                throw new CheckpointFormatException(folder, null,
                    $"no {baseName}.safetensors but several variants ({string.Join(", ", variants)}); choose one with CheckpointOptions.Variant.");
        }
        throw new CheckpointFormatException(folder, null,
            $"no weights found: expected {Path.GetFileName(single)} or {Path.GetFileName(index)}.");
    }

    private static (List<SafetensorsFile>, List<CheckpointTensor>) OpenSingle(string path)
    {
        var file = SafetensorsFile.Open(path);
        return ([file], [.. file.Tensors.Select(info => CheckpointTensor.FromFile(file, info, info.Name))]);
    }

    private static (List<SafetensorsFile>, List<CheckpointTensor>) OpenSharded(string folder, string indexPath)
    {
        var reader = ConfigReader.Load(indexPath);
        reader.Known("metadata");
        if (reader.Element("weight_map") is not { ValueKind: JsonValueKind.Object } map)
            throw new CheckpointFormatException(indexPath, "weight_map", "expected an object mapping tensor names to shard file names.");

        var byShard = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointFormatException(indexPath, entry.Name, "the shard of a tensor must be a file name (a string).");
            if (!names.Add(entry.Name))
                throw new CheckpointFormatException(indexPath, entry.Name, "the tensor is listed twice in weight_map.");
            string shard = entry.Value.GetString()!;
            if (shard.Length == 0 || Path.GetFileName(shard) != shard || shard is "." or "..")
                throw new CheckpointFormatException(indexPath, entry.Name, $"shard \"{shard}\" must be a plain file name in the same folder.");
            if (!shard.EndsWith(".safetensors", StringComparison.Ordinal))
            {
                string shardPath = Path.Combine(folder, shard);
                if (File.Exists(shardPath) && PickleDetector.Detect(shardPath) is { } evidence)
                    throw PickleCheckpointException.For(shardPath, evidence);
                throw new CheckpointFormatException(indexPath, entry.Name, $"shard \"{shard}\" is not a .safetensors file; Atelier loads safetensors weights only.");
            }
            if (!byShard.TryGetValue(shard, out var list))
                byShard[shard] = list = [];
            list.Add(entry.Name);
        }

        var files = new List<SafetensorsFile>();
        var tensors = new List<CheckpointTensor>();
        try
        {
            foreach (var (shard, listed) in byShard)
            {
                string shardPath = Path.Combine(folder, shard);
                if (!File.Exists(shardPath))
                    throw new CheckpointFormatException(indexPath, listed[0], $"shard {shard} is missing from {folder}.");
                var file = SafetensorsFile.Open(shardPath);
                files.Add(file);
                var expected = new HashSet<string>(listed, StringComparer.Ordinal);
                foreach (string name in listed)
                {
                    if (!file.TryGetInfo(name, out var info))
                        throw new CheckpointFormatException(indexPath, name, $"listed in {shard}, which has no such tensor.");
                    tensors.Add(CheckpointTensor.FromFile(file, info, name));
                }
                foreach (var info in file.Tensors)
                {
                    if (!expected.Contains(info.Name))
                        throw new CheckpointFormatException(shardPath, info.Name, $"the shard holds this tensor but {Path.GetFileName(indexPath)} does not list it here.");
                }
            }
        }
        catch
        {
            foreach (var file in files)
                file.Dispose();
            throw;
        }
        return (files, tensors);
    }

    private static void RefusePickleWeights(string folder, string baseName, string suffix)
    {
        string[] candidates =
        [
            Path.Combine(folder, $"{baseName}{suffix}.bin"),
            Path.Combine(folder, $"{baseName}.bin.index{suffix}.json"),
            Path.Combine(folder, $"pytorch_model{suffix}.bin"),
        ];
        foreach (string candidate in candidates.Concat(Directory.EnumerateFiles(folder).Where(f => Path.GetExtension(f) is ".ckpt" or ".pt" or ".pth")))
        {
            if (!File.Exists(candidate))
                continue;
            if (candidate.EndsWith(".json", StringComparison.Ordinal))
                throw new CheckpointFormatException(candidate, null,
                    "the weights are sharded PyTorch pickle files (.bin); Atelier loads safetensors only. Re-save the model with save_pretrained(..., safe_serialization=True).");
            if (PickleDetector.Detect(candidate) is { } evidence)
                throw PickleCheckpointException.For(candidate, evidence);
            throw new CheckpointFormatException(candidate, null, "this is the only weight file and it is not safetensors; Atelier loads .safetensors weights only.");
        }
    }

    private static List<string> FindVariants(string folder, string baseName)
    {
        var variants = new SortedSet<string>(StringComparer.Ordinal);
        string prefix = baseName + ".";
        foreach (string file in Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>())
        {
            if (file.StartsWith(prefix, StringComparison.Ordinal) && file.EndsWith(".safetensors", StringComparison.Ordinal))
            {
                string middle = file[prefix.Length..^".safetensors".Length];
                if (middle.Length > 0 && !middle.Contains('.') && !middle.Contains('-'))
                    variants.Add(middle);
            }
            string indexPrefix = baseName + ".safetensors.index.";
            if (file.StartsWith(indexPrefix, StringComparison.Ordinal) && file.EndsWith(".json", StringComparison.Ordinal))
            {
                string middle = file[indexPrefix.Length..^".json".Length];
                if (middle.Length > 0)
                    variants.Add(middle);
            }
        }
        return [.. variants];
    }
}
