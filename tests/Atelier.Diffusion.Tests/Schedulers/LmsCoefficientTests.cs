using Atelier.Diffusion.Schedulers;

namespace Atelier.Diffusion.Tests.Schedulers;

/// <summary>The analytic LMS coefficients against properties every Adams-Bashforth weight set has.</summary>
public class LmsCoefficientTests
{
    [Fact]
    public void CoefficientsIntegrateTheLagrangeBasisExactly()
    {
        var lms = (LmsScheduler)SchedulerRegistry.Create("lms", SchedulerRegistry.StableDiffusion15Config());
        lms.SetTimesteps(12);
        var sigmas = lms.Sigmas!;
        for (int i = 0; i < 12; i++)
        {
            double h = (double)sigmas[i + 1] - sigmas[i];
            // Order 1 is Euler: the single weight is the step length.
            Assert.Equal(h, lms.LmsCoefficient(1, i, 0), 12);
            for (int order = 2; order <= Math.Min(i + 1, 4); order++)
            {
                // The basis polynomials sum to 1, so the weights sum to the step length ...
                double sum = Enumerable.Range(0, order).Sum(k => lms.LmsCoefficient(order, i, k));
                Assert.True(Math.Abs(sum - h) <= 1e-12 * Math.Abs(h) + 1e-15, $"step {i} order {order}: weights sum to {sum}, step {h}");
                // ... and integrate sigma exactly: sum_k c_k sigma_{i-k} = (sigma_{i+1}^2 - sigma_i^2) / 2.
                double moment = Enumerable.Range(0, order).Sum(k => lms.LmsCoefficient(order, i, k) * sigmas[i - k]);
                double exact = ((double)sigmas[i + 1] * sigmas[i + 1] - (double)sigmas[i] * sigmas[i]) / 2;
                Assert.True(Math.Abs(moment - exact) <= 1e-10 * (1 + Math.Abs(exact)), $"step {i} order {order}: first moment {moment}, exact {exact}");
            }
        }
    }
}
