using Atelier.Formats.Checkpoints;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

// Random weights: full-size models for benchmarks and memory tests without a real checkpoint.
public sealed unsafe partial class UNet2DConditionModel
{
    /// <summary>
    /// A model of <paramref name="config"/>'s exact shapes (e.g. <see cref="UNet2DConditionPresets.Sd15"/>: 859.5 M
    /// weights) with seeded random weights stored as <paramref name="dtype"/> (F32, F16 or BF16), drawn like the
    /// reference fixtures' <c>refcommon.randomize_</c> (written as mean, standard deviation): Linear/Conv weights
    /// N(0, 1/√fan_in), biases N(0, 0.05), norm weights 1 + N(0, 0.1), norm biases N(0, 0.05), so activations keep a
    /// sane scale through the network. Weights live in pinned managed arrays (no scope owns them).
    /// </summary>
    public static UNet2DConditionModel CreateRandom(UNet2DConditionConfig config, ulong seed, DType dtype = DType.F32)
    {
        if (!dtype.IsFloating())
            throw new ArgumentException($"CreateRandom: weight dtype {dtype}; expected F32, F16 or BF16.", nameof(dtype));
        var model = new UNet2DConditionModel(config, $"random UNet (seed {seed})");
        var generator = new TorchGenerator(seed);
        foreach (var (name, parameter) in model.NamedParameters())
        {
            var shape = parameter.Shape;
            bool isNorm = name.Contains("norm", StringComparison.Ordinal);
            bool isBias = name.EndsWith(".bias", StringComparison.Ordinal);
            double mean = isNorm && !isBias ? 1 : 0;
            double std = isBias ? 0.05 : isNorm ? 0.1 : 1 / Math.Sqrt(shape.ElementCount / shape[0]);
            parameter.Value = RandomTensor(generator, shape, mean, std, dtype, name);
        }
        return model;
    }

    private static Tensor RandomTensor(TorchGenerator generator, Shape shape, double mean, double std, DType dtype, string name)
    {
        int count = checked((int)shape.ElementCount);
        Tensor tensor;
        if (dtype == DType.F32)
        {
            float[] data = GC.AllocateUninitializedArray<float>(count, pinned: true);
            generator.Normal(data, mean, std);
            fixed (float* p = data) tensor = Tensor.FromExternal(p, DType.F32, shape, data);
        }
        else
        {
            // Draw float32 values in slices and round them to the 16-bit type.
            ushort[] data = GC.AllocateUninitializedArray<ushort>(count, pinned: true);
            float[] slice = new float[Math.Min(count, 1 << 20)];
            for (int start = 0; start < count; start += slice.Length)
            {
                int n = Math.Min(slice.Length, count - start);
                generator.Normal(slice.AsSpan(0, n), mean, std);
                for (int i = 0; i < n; i++)
                    data[start + i] = dtype == DType.F16 ? BitConverter.HalfToUInt16Bits((Half)slice[i]) : BFloat16Bits(slice[i]);
            }
            fixed (ushort* p = data) tensor = Tensor.FromExternal(p, dtype, shape, data);
        }
        tensor.Name = name;
        return tensor;
    }

    /// <summary>float32 → bfloat16 bits, rounded to nearest even (NaN kept quiet).</summary>
    private static ushort BFloat16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
