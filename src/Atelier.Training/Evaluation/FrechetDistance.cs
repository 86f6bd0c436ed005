namespace Atelier.Training.Evaluation;

/// <summary>
/// The Fréchet distance between two sets of feature vectors, each summarised by a Gaussian (the FID of Heusel et al.
/// 2017, here on CLIP-mini image embeddings instead of Inception features):
/// d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½), with Tr((Σ₁ Σ₂)^½) = Σ √λᵢ(Σ₁^½ Σ₂ Σ₁^½) (a symmetric form with the same
/// eigenvalues). Covariances are the unbiased sample covariances. In double precision.
/// </summary>
public static class FrechetDistance
{
    /// <summary>d² between the rows of <paramref name="a"/> [Na, D] and of <paramref name="b"/> [Nb, D] (row-major).</summary>
    public static double Compute(ReadOnlySpan<float> a, int countA, ReadOnlySpan<float> b, int countB, int dim)
    {
        var (muA, sigmaA) = Moments(a, countA, dim);
        var (muB, sigmaB) = Moments(b, countB, dim);
        double meanTerm = 0;
        for (int i = 0; i < dim; i++) meanTerm += (muA[i] - muB[i]) * (muA[i] - muB[i]);
        double trace = 0;
        for (int i = 0; i < dim; i++) trace += sigmaA[i * dim + i] + sigmaB[i * dim + i];
        double[] rootA = SquareRoot(sigmaA, dim);
        double[] m = Multiply(Multiply(rootA, sigmaB, dim), rootA, dim);
        for (int i = 0; i < dim; i++)                                   // symmetrise against rounding
            for (int j = i + 1; j < dim; j++)
                m[i * dim + j] = m[j * dim + i] = 0.5 * (m[i * dim + j] + m[j * dim + i]);
        double crossTrace = SymmetricEigen.Decompose(m, dim).Values.Sum(l => Math.Sqrt(Math.Max(l, 0)));
        return meanTerm + trace - 2 * crossTrace;
    }

    private static (double[] Mean, double[] Covariance) Moments(ReadOnlySpan<float> x, int count, int dim)
    {
        if (count < 2 || x.Length != count * dim)
            throw new ArgumentException($"Fréchet distance: {x.Length} values for {count} vectors of {dim} (need at least 2 vectors).");
        var mean = new double[dim];
        for (int r = 0; r < count; r++)
            for (int i = 0; i < dim; i++) mean[i] += x[r * dim + i];
        for (int i = 0; i < dim; i++) mean[i] /= count;
        var cov = new double[dim * dim];
        var centered = new double[dim];
        for (int r = 0; r < count; r++)
        {
            for (int i = 0; i < dim; i++) centered[i] = x[r * dim + i] - mean[i];
            for (int i = 0; i < dim; i++)
                for (int j = i; j < dim; j++) cov[i * dim + j] += centered[i] * centered[j];
        }
        for (int i = 0; i < dim; i++)
            for (int j = i; j < dim; j++)
                cov[j * dim + i] = cov[i * dim + j] /= count - 1;
        return (mean, cov);
    }

    /// <summary>The PSD square root V diag(√max(λ, 0)) Vᵀ of a symmetric matrix.</summary>
    private static double[] SquareRoot(double[] s, int n)
    {
        var (values, vectors) = SymmetricEigen.Decompose(s, n);
        var root = new double[n * n];
        for (int k = 0; k < n; k++)
        {
            double r = Math.Sqrt(Math.Max(values[k], 0));
            if (r == 0) continue;
            for (int i = 0; i < n; i++)
            {
                double vik = vectors[i * n + k] * r;
                for (int j = 0; j < n; j++) root[i * n + j] += vik * vectors[j * n + k];
            }
        }
        return root;
    }

    private static double[] Multiply(double[] a, double[] b, int n)
    {
        var c = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++)
            {
                double aik = a[i * n + k];
                if (aik == 0) continue;
                for (int j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
            }
        return c;
    }
}
