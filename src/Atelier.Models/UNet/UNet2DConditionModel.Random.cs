using Atelier.Formats.Checkpoints;
using Atelier.Tensors;

namespace Atelier.Models.UNet;

// Random weights: full-size models for benchmarks and memory tests without a real checkpoint.
public sealed unsafe partial class UNet2DConditionModel
{
    /// <summary>
    /// A model of <paramref name="config"/>'s exact shapes (e.g. <see cref="UNet2DConditionPresets.Sd15"/>: 859.5 M
    /// weights) with seeded random weights stored as <paramref name="dtype"/> (F32, F16 or BF16), scaled like the
    /// reference fixtures' <c>refcommon.randomize_</c> (mean, standard deviation): Linear/Conv weights (0, 1/√fan_in),
    /// biases (0, 0.05), norm weights (1, 0.1), norm biases (0, 0.05), so activations keep a sane scale through the
    /// network. The values are uniform with that mean and deviation (SplitMix64: ~1 s for SD 1.5, where a Gaussian
    /// through TorchGenerator takes ~25 s); they are for benchmarks and memory tests, not for matching PyTorch.
    /// Weights live in pinned managed arrays, owned by no scope.
    /// </summary>
    public static UNet2DConditionModel CreateRandom(UNet2DConditionConfig config, ulong seed, DType dtype = DType.F32)
    {
        if (!dtype.IsFloating())
            throw new ArgumentException($"CreateRandom: weight dtype {dtype}; expected F32, F16 or BF16.", nameof(dtype));
        var model = new UNet2DConditionModel(config, $"random UNet (seed {seed})");
        ulong state = seed;
        foreach (var (name, parameter) in model.NamedParameters())
        {
            var shape = parameter.Shape;
            bool isNorm = name.Contains("norm", StringComparison.Ordinal);
            bool isBias = name.EndsWith(".bias", StringComparison.Ordinal);
            float mean = isNorm && !isBias ? 1 : 0;
            float std = isBias ? 0.05f : isNorm ? 0.1f : (float)(1 / Math.Sqrt(shape.ElementCount / shape[0]));
            parameter.Value = RandomTensor(ref state, shape, mean, std, dtype, name);
        }
        return model;
    }

    private static Tensor RandomTensor(ref ulong state, Shape shape, float mean, float std, DType dtype, string name)
    {
        int count = checked((int)shape.ElementCount);
        // Uniform on [mean - a, mean + a) has standard deviation a/√3.
        float a = std * MathF.Sqrt(3), scale = 2 * a / (1 << 24), offset = mean - a;
        Tensor tensor;
        if (dtype == DType.F32)
        {
            float[] data = GC.AllocateUninitializedArray<float>(count, pinned: true);
            for (int i = 0; i < count; i++) data[i] = offset + scale * (SplitMix64(ref state) >> 40);
            fixed (float* p = data) tensor = Tensor.FromExternal(p, DType.F32, shape, data);
        }
        else
        {
            ushort[] data = GC.AllocateUninitializedArray<ushort>(count, pinned: true);
            for (int i = 0; i < count; i++)
            {
                float value = offset + scale * (SplitMix64(ref state) >> 40);
                data[i] = dtype == DType.F16 ? BitConverter.HalfToUInt16Bits((Half)value) : BFloat16Bits(value);
            }
            fixed (ushort* p = data) tensor = Tensor.FromExternal(p, dtype, shape, data);
        }
        tensor.Name = name;
        return tensor;
    }

    /// <summary>SplitMix64 (Steele, Lea and Flood 2014; the constants are theirs): a fast, well-mixed 64-bit stream.</summary>
    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
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
