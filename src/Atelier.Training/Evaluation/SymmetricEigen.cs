namespace Atelier.Training.Evaluation;

/// <summary>
/// Eigenvalues and eigenvectors of a real symmetric matrix by the cyclic Jacobi method (Golub &amp; Van Loan,
/// "Matrix Computations", §8.5): rotate away the off-diagonal entries one pair at a time until they are negligible.
/// In double precision; O(n³) per sweep, a few sweeps for the 256x256 covariances of the evaluation.
/// </summary>
public static class SymmetricEigen
{
    /// <summary>
    /// Decomposes the n×n row-major symmetric <paramref name="matrix"/> (not modified): A = V diag(λ) Vᵀ, with the
    /// eigenvectors as the columns of V (row-major n×n).
    /// </summary>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> matrix, int n)
    {
        if (matrix.Length != n * n)
            throw new ArgumentException($"symmetric eigen: {matrix.Length} entries for a {n}x{n} matrix.", nameof(matrix));
        double[] a = matrix.ToArray();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        double scale = 0;
        for (int i = 0; i < n * n; i++) scale += a[i] * a[i];
        double tolerance = 1e-22 * Math.Max(scale, double.Epsilon);
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                    off += a[p * n + q] * a[p * n + q];
            if (off <= tolerance) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (apq == 0) continue;
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)                       // A ← A J (columns p, q)
                    {
                        double akp = a[k * n + p], akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)                       // A ← Jᵀ A (rows p, q)
                    {
                        double apk = a[p * n + k], aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)                       // V ← V J
                    {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = a[i * n + i];
        return (values, v);
    }
}
