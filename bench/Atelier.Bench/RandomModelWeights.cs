using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Bench;

// Copied from tests/Atelier.Models.Tests/RandomWeights.cs (benchmarks do not reference test projects).
/// <summary>
/// Seeded random weights drawn like the reference fixtures' randomize_ (reference/README.md §3.1): matrices and
/// kernels N(0, 1/fan_in), biases N(0, 0.05), embeddings N(0, 0.1), norm weights 1 + N(0, 0.1), so a full-size model
/// runs on realistic activations without a checkpoint.
/// </summary>
internal static class RandomModelWeights
{
    public static T Initialize<T>(T model, ulong seed) where T : Module
    {
        var generator = new TorchGenerator(seed);
        foreach (var (name, parameter) in model.NamedParameters())
        {
            int[] shape = parameter.Shape.ToArray();
            float[] values = generator.Randn(shape);
            bool isEmbedding = name.Contains("embedding", StringComparison.Ordinal);
            bool isNormWeight = shape.Length == 1 && name.EndsWith(".weight", StringComparison.Ordinal);
            double std = isEmbedding ? 0.1 : shape.Length >= 2 ? 1 / Math.Sqrt(shape.Skip(1).Aggregate(1L, (a, b) => a * b)) : isNormWeight ? 0.1 : 0.05;
            for (int i = 0; i < values.Length; i++)
                values[i] = (float)(values[i] * std + (isNormWeight ? 1 : 0));
            parameter.Value = Tensor.FromArray(values, parameter.Shape);
        }
        return model;
    }
}
