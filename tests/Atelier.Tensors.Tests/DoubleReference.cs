namespace Atelier.Tensors.Tests;

/// <summary>Double-precision definitions the float kernels are measured against.</summary>
internal static class DoubleReference
{
    /// <summary>erfc(z) for z ≥ 0: 1 - series(erf) below 1, Lentz continued fraction above (relative error ~1e-14).</summary>
    public static double Erfc(double z)
    {
        if (z < 0) return 2 - Erfc(-z);
        if (z < 1)
        {
            double sum = 0, term = z;
            for (int n = 0; n < 60; n++)
            {
                sum += term / (2 * n + 1);
                term *= -z * z / (n + 1);
            }
            return 1 - 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc(z) = e^{-z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + …))))), evaluated from the tail.
        double f = z;
        for (int k = 200; k >= 1; k--) f = z + k / 2.0 / f;
        return Math.Exp(-z * z) / Math.Sqrt(Math.PI) / f;
    }

    /// <summary>Standard normal CDF.</summary>
    public static double Phi(double x) => x >= 0 ? 1 - 0.5 * Erfc(x / Math.Sqrt(2)) : 0.5 * Erfc(-x / Math.Sqrt(2));

    public static double Gelu(double x) => x * Phi(x);

    // ½x(1 + tanh u) written as x/(1 + e^(-2u)): the tanh form cancels even in double for u < -15.
    public static double GeluTanh(double x) => x / (1 + Math.Exp(-2 * Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
