using Atelier.Formats.Safetensors;
using Atelier.Tensors;

namespace Atelier.Formats.Checkpoints;

/// <summary>Views the weights of a checkpoint component as <see cref="Tensor"/>s (diffusers names, no copy).</summary>
public static class CheckpointTensors
{
    /// <summary>
    /// One tensor over the checkpoint's bytes in the file's dtype (F16 stays F16). The tensor holds a lease on the
    /// backing storage, so it stays valid after the checkpoint is disposed.
    /// </summary>
    public static unsafe Tensor ToTensor(this CheckpointTensor weight)
    {
        StorageLease lease = weight.Storage.Retain();
        var tensor = Tensor.FromExternal(weight.Pointer, weight.DType, new Shape(weight.ShapeInt32()), lease);
        tensor.Name = weight.Name;
        return tensor;
    }

    /// <summary>Every weight of the component by diffusers name, ready for <c>Module.LoadWeights</c>.</summary>
    public static Dictionary<string, Tensor> ToTensors(this ComponentWeights weights)
    {
        var result = new Dictionary<string, Tensor>(weights.Count, StringComparer.Ordinal);
        foreach (var weight in weights.Tensors)
            result[weight.Name] = weight.ToTensor();
        return result;
    }
}
