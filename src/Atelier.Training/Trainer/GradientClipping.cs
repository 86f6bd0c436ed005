using Atelier.Tensors;

namespace Atelier.Training.Trainer;

/// <summary>
/// Global gradient-norm clipping (Pascanu et al. 2013; torch.nn.utils.clip_grad_norm_): the L2 norm over all
/// gradients together, and the factor min(1, max/(norm + 1e-6)) that brings it down to at most max. The factor is
/// handed to <see cref="AdamW.Step"/> rather than written into the gradients.
/// </summary>
public static class GradientClipping
{
    /// <summary>The global gradient norm and the scale to apply. Throws when a gradient is NaN or infinite, naming the parameters.</summary>
    /// <param name="parameters">The parameters (those without a gradient count as zero).</param>
    /// <param name="maxNorm">The largest norm allowed (∞: no clipping, only the norm).</param>
    public static (float Norm, float Scale) Compute(TrainableParameters parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "gradient clipping: the maximum norm must be positive.");
        double sumOfSquares = 0;
        List<string>? nonFinite = null;
        using (Autograd.NoGrad())
        {
            foreach (var (name, p) in parameters.Items)
            {
                if (p.Value.Grad is not { } grad) continue;
                using var scope = TensorScope.Begin();
                double s = grad.Square().Sum().Item();
                if (!double.IsFinite(s)) (nonFinite ??= []).Add(name);
                sumOfSquares += s;
            }
        }
        if (nonFinite is not null)
            throw new ArithmeticException($"gradient clipping: non-finite gradients in {nonFinite.Count} parameter(s): {string.Join(", ", nonFinite.Take(10))}{(nonFinite.Count > 10 ? ", …" : "")}; the loss diverged (lower the learning rate) or a layer overflowed.");
        double norm = Math.Sqrt(sumOfSquares);
        float scale = float.IsPositiveInfinity(maxNorm) ? 1f : (float)Math.Min(1.0, maxNorm / (norm + 1e-6));
        return ((float)norm, scale);
    }
}
