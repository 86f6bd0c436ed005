using Atelier.Tensors;

namespace Atelier.Formats.Safetensors;

/// <summary>Views the tensors of a safetensors file as <see cref="Tensor"/>s without copying.</summary>
public static class SafetensorsTensors
{
    /// <summary>
    /// Every tensor of <paramref name="file"/>, by name, as a tensor over the memory-mapped bytes in the file's own
    /// dtype (an F16 weight stays F16). The tensors hold a lease on the mapping, so they stay valid after the
    /// <see cref="SafetensorsFile"/> is disposed; the mapping goes away when the last lease does.
    /// </summary>
    public static unsafe Dictionary<string, Tensor> ToTensors(this SafetensorsFile file)
    {
        var lease = file.Storage.Retain();
        var result = new Dictionary<string, Tensor>(file.Count, StringComparer.Ordinal);
        foreach (var info in file.Tensors)
            result[info.Name] = View(file, info, lease);
        return result;
    }

    /// <summary>One tensor of <paramref name="file"/> by name (see <see cref="ToTensors"/> for lifetime).</summary>
    public static unsafe Tensor GetTensor(this SafetensorsFile file, string name)
    {
        var info = file.GetInfo(name);
        return View(file, info, file.Storage.Retain());
    }

    private static unsafe Tensor View(SafetensorsFile file, SafetensorsTensorInfo info, StorageLease lease)
    {
        DType dtype = info.DType.ToDType(info.Name, file.Path);
        var dims = new int[info.Shape.Length];
        for (int i = 0; i < dims.Length; i++)
            dims[i] = checked((int)info.Shape[i]);
        var tensor = Tensor.FromExternal(file.GetPointer(info), dtype, new Shape(dims), lease);
        tensor.Name = info.Name;
        return tensor;
    }
}
