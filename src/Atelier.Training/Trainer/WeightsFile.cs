using System.Runtime.InteropServices;
using Atelier.Formats.Safetensors;
using Atelier.Tensors;

namespace Atelier.Training.Trainer;

/// <summary>
/// Tensors by name to and from a safetensors file: checkpoints and shipped weights. Writing goes through
/// <see cref="SafetensorsWriter"/>, which writes a temporary file and renames it only once complete, so a reader
/// (or a run killed mid-write) never sees a half-written file under the final name.
/// </summary>
public static class WeightsFile
{
    /// <summary>
    /// Writes <paramref name="tensors"/> in the given order. Floating tensors are stored as
    /// <paramref name="floatType"/> (F32 keeps them bit for bit; F16 rounds to nearest even); other types as they are.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
        IEnumerable<KeyValuePair<string, string>>? metadata = null, DType floatType = DType.F32)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (!floatType.IsFloating())
            throw new ArgumentException($"{path}: floating tensors cannot be stored as {floatType}.", nameof(floatType));
        var list = tensors.ToList();
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        var specs = list.Select(t => new SafetensorsTensorSpec(t.Key, SafetensorsDTypeExtensions.FromDType(StoredType(t.Value, floatType)), t.Value.Shape.Dims));
        using var writer = SafetensorsWriter.Create(path, specs, metadata, SafetensorsTensorOrder.AsGiven);
        foreach (var (name, tensor) in list)
        {
            using var scope = TensorScope.Begin();
            using var noGrad = Autograd.NoGrad();
            WriteBytes(writer, name, tensor.Cast(StoredType(tensor, floatType)));
        }
        writer.Complete();
    }

    /// <summary>Every tensor of the file (memory-mapped views in the file's dtype) and its metadata.</summary>
    public static (Dictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"weights file {path} does not exist.", path);
        using var file = SafetensorsFile.Open(path);
        var metadata = (file.Metadata ?? []).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return (file.ToTensors(), metadata);
    }

    private static DType StoredType(Tensor t, DType floatType) => t.DType.IsFloating() ? floatType : t.DType;

    private static void WriteBytes(SafetensorsWriter writer, string name, Tensor t)
    {
        switch (t.DType)
        {
            case DType.F32: writer.Write(name, MemoryMarshal.AsBytes<float>(t.ToArray<float>())); break;
            case DType.F16: writer.Write(name, MemoryMarshal.AsBytes<Half>(t.ToArray<Half>())); break;
            case DType.BF16: writer.Write(name, MemoryMarshal.AsBytes<ushort>(t.ToArray<ushort>())); break;
            case DType.I32: writer.Write(name, MemoryMarshal.AsBytes<int>(t.ToArray<int>())); break;
            case DType.I64: writer.Write(name, MemoryMarshal.AsBytes<long>(t.ToArray<long>())); break;
            case DType.U8 or DType.Bool: writer.Write(name, t.ToArray<byte>()); break;
            default: throw new NotSupportedException($"weights file: tensor '{name}' {t.Shape} has dtype {t.DType}, which has no safetensors spelling here.");
        }
    }
}
