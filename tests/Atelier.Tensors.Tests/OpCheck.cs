namespace Atelier.Tensors.Tests;

/// <summary>
/// The one op-test helper: checks an operation's forward result against a double-precision reference and its
/// backward pass against central finite differences of a random projection of the output.
/// </summary>
internal static class OpCheck
{
    /// <summary>A float32 tensor of uniform values in [lo, hi), optionally kept at least <paramref name="awayFromZero"/> from 0 (kinks of abs/relu).</summary>
    public static Tensor Rand(int seed, Shape shape, float lo = -1, float hi = 1, float awayFromZero = 0)
    {
        var rng = new Random(seed);
        var data = new float[shape.ElementCount];
        for (int i = 0; i < data.Length; i++)
        {
            float v;
            do v = lo + (hi - lo) * (float)rng.NextDouble();
            while (Math.Abs(v) < awayFromZero);
            data[i] = v;
        }
        return Tensor.FromArray(data, shape);
    }

    /// <summary>Forward: every element within rtol·|expected| + atol of the double-precision reference.</summary>
    public static void Forward(Tensor actual, Shape expectedShape, double[] expected, double rtol = 1e-5, double atol = 1e-6, string what = "")
    {
        Assert.Equal(expectedShape, actual.Shape);
        var got = actual.ToFloatArray();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            if (double.IsNaN(expected[i]) && float.IsNaN(got[i])) continue;
            Assert.True(Math.Abs(got[i] - expected[i]) <= rtol * Math.Abs(expected[i]) + atol,
                $"{what} forward element {i}: got {got[i]:R}, expected {expected[i]:R}");
        }
    }

    /// <summary>
    /// Backward: for L = Σ f(inputs) ⊙ R (R a fixed random tensor, so every output element matters), the
    /// gradient of every floating input from autograd must match (L(x + h) - L(x - h)) / 2h element by element.
    /// Inputs are float32, so h is large enough for the float rounding of L to stay below the tolerance; the
    /// actual step is measured after rounding x ± h to float. Non-floating inputs (ids, targets, masks) are passed through.
    /// </summary>
    public static void Gradients(string what, Func<Tensor[], Tensor> f, Tensor[] inputs, double h = 1e-2, double rtol = 2e-2, double atol = 2e-3, int seed = 99)
    {
        var leaves = inputs.Select(t => t.DType.IsFloating() ? t.Detach().RequireGrad() : t).ToArray();
        Tensor y = f(leaves);
        Assert.True(y.RequiresGrad, $"{what}: output does not require grad");
        Tensor r = Rand(seed, y.Shape);
        double[] weights = r.ToFloatArray().Select(v => (double)v).ToArray();
        Ops.Sum(Ops.Mul(y, r)).Backward();

        for (int k = 0; k < inputs.Length; k++)
        {
            if (!inputs[k].DType.IsFloating()) continue;
            Tensor? grad = leaves[k].Grad;
            Assert.True(grad is not null, $"{what}: input {k} got no gradient");
            Assert.Equal(inputs[k].Shape, grad!.Shape);
            float[] analytic = grad.ToFloatArray();
            float[] x = inputs[k].ToFloatArray();
            for (int i = 0; i < x.Length; i++)
            {
                float xp = (float)(x[i] + h), xm = (float)(x[i] - h);
                double lp = Loss(k, i, xp), lm = Loss(k, i, xm);
                double numeric = (lp - lm) / ((double)xp - xm);
                Assert.True(Math.Abs(analytic[i] - numeric) <= rtol * Math.Abs(numeric) + atol,
                    $"{what}: d/d input{k}[{i}] autograd {analytic[i]:R} vs finite difference {numeric:R}");
            }

            double Loss(int input, int index, float value)
            {
                using var noGrad = Autograd.NoGrad();
                var data = inputs[input].ToFloatArray();
                data[index] = value;
                var perturbed = (Tensor[])inputs.Clone();
                perturbed[input] = Tensor.FromArray(data, inputs[input].Shape).Cast(inputs[input].DType);
                var v = f(perturbed).ToFloatArray();
                double sum = 0;
                for (int j = 0; j < v.Length; j++) sum += v[j] * weights[j];
                return sum;
            }
        }
    }
}
