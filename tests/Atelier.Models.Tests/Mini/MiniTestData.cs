using Atelier.Tensors;

namespace Atelier.Models.Tests.Mini;

/// <summary>Seeded inputs for the tiny atelier-mini models.</summary>
internal static class MiniTestData
{
    public static Tensor Randn(TorchGenerator generator, params int[] shape) => Tensor.FromArray(generator.Randn(shape), shape);

    /// <summary>Unit vectors [B, D] (as CLIP embeddings are).</summary>
    public static Tensor UnitVectors(TorchGenerator generator, int count, int dim)
    {
        float[] v = generator.Randn(count, dim);
        for (int i = 0; i < count; i++)
        {
            double norm = 0;
            for (int j = 0; j < dim; j++) norm += v[i * dim + j] * v[i * dim + j];
            for (int j = 0; j < dim; j++) v[i * dim + j] /= (float)Math.Sqrt(norm);
        }
        return Tensor.FromArray(v, [count, dim]);
    }

    /// <summary>Every parameter of <paramref name="model"/> that requires grad received a finite, not all-zero gradient.</summary>
    public static void AssertEveryParameterHasGradient(Atelier.Nn.Module model)
    {
        foreach (var (name, p) in model.NamedParameters())
        {
            Tensor? grad = p.Value.Grad;
            Assert.True(grad is not null, $"{name}: no gradient");
            float[] g = grad!.ToFloatArray();
            Assert.True(g.All(float.IsFinite), $"{name}: non-finite gradient");
            Assert.True(g.Any(x => x != 0), $"{name}: gradient is all zero");
        }
    }

    /// <summary>Marks every parameter value as a leaf that requires grad.</summary>
    public static void RequireGrad(Atelier.Nn.Module model)
    {
        foreach (var p in model.Parameters()) p.Value.RequiresGrad = true;
    }
}
