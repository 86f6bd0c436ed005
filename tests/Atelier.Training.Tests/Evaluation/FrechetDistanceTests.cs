using Atelier.Tensors;
using Atelier.Training.Evaluation;

namespace Atelier.Training.Tests.Evaluation;

public class FrechetDistanceTests
{
    [Fact]
    public void Eigen_decomposition_reconstructs_the_matrix()
    {
        const int n = 6;
        float[] r = new TorchGenerator(1).Randn(n, n);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) a[i * n + j] = r[i * n + j] + r[j * n + i];
        var (values, vectors) = SymmetricEigen.Decompose(a, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += vectors[i * n + k] * values[k] * vectors[j * n + k];
                Assert.Equal(a[i * n + j], sum, 9);
            }
    }

    [Fact]
    public void Identical_sets_are_at_zero_and_a_shift_adds_its_squared_length()
    {
        const int count = 200, d = 4;
        float[] x = new TorchGenerator(2).Randn(count, d);
        Assert.Equal(0, FrechetDistance.Compute(x, count, x, count, d), 6);
        float[] shifted = x.Select((v, i) => i % d == 1 ? v + 3f : v).ToArray();
        Assert.Equal(9, FrechetDistance.Compute(x, count, shifted, count, d), 4);
    }

    [Fact]
    public void Scaled_sets_match_the_closed_form_for_commuting_covariances()
    {
        // Σ₂ = s² Σ₁ commutes with Σ₁: d² = Tr(Σ₁)(1 + s² − 2s) = Tr(Σ₁)(1 − s)².
        const int count = 300, d = 5;
        float[] x = new TorchGenerator(3).Randn(count, d);
        float[] y = x.Select(v => 2.5f * v).ToArray();
        double mean = 0;
        var trace = 0.0;
        for (int i = 0; i < d; i++)
        {
            mean = 0;
            for (int r = 0; r < count; r++) mean += x[r * d + i];
            mean /= count;
            double v = 0;
            for (int r = 0; r < count; r++) v += (x[r * d + i] - mean) * (x[r * d + i] - mean);
            trace += v / (count - 1);
        }
        double meanShift = 0;
        for (int i = 0; i < d; i++)
        {
            double m = 0;
            for (int r = 0; r < count; r++) m += x[r * d + i];
            m /= count;
            meanShift += (1.5 * m) * (1.5 * m);
        }
        Assert.Equal(meanShift + trace * 1.5 * 1.5, FrechetDistance.Compute(x, count, y, count, d), 4);
        Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(x, 1, y, count, d));
    }
}
