using Atelier.Tensors;

namespace Atelier.Models.Tests.UNet;

internal static unsafe class UNetTestWeights
{
    /// <summary>A float32 tensor over a pinned array: owned by no scope, like checkpoint weights.</summary>
    public static Tensor Pinned(float[] values, Shape shape)
    {
        float[] data = GC.AllocateUninitializedArray<float>(values.Length, pinned: true);
        values.CopyTo(data, 0);
        fixed (float* p = data) return Tensor.FromExternal(p, DType.F32, shape, data);
    }
}
