using Atelier.Tensors;

namespace Atelier.Models.Vae;

/// <summary>
/// The encoder's posterior q(z|x) = N(mean, diag(exp(logvar))) (diffusers <c>DiagonalGaussianDistribution</c>,
/// gotcha G20): the moments [B, 2L, h, w] split along channels into mean and log-variance, the log-variance clamped to
/// [-30, 20] as diffusers does, std = exp(0.5 · logvar).
/// </summary>
public sealed class DiagonalGaussian
{
    /// <summary>diffusers clamps the log-variance to this range before taking exp (vae.py, DiagonalGaussianDistribution).</summary>
    public const float LogVarMin = -30f, LogVarMax = 20f;

    // moments [B, 2L, h, w] -> mean, logvar, std [B, L, h, w]
    public DiagonalGaussian(Tensor moments)
    {
        ArgumentNullException.ThrowIfNull(moments);
        if (moments.Rank != 4 || moments.Shape[1] % 2 != 0 || moments.Shape[1] == 0)
            throw new TensorShapeException("DiagonalGaussian", $"moments {moments.Shape}", "[B, 2·latent_channels, h, w] (mean and log-variance stacked along channels)");
        Tensor[] parts = moments.Chunk(2, 1);
        Mean = parts[0].Contiguous();              // [B, L, h, w]
        LogVar = parts[1].Clamp(LogVarMin, LogVarMax);   // [B, L, h, w]
        Std = LogVar.Mul(0.5f).Exp();              // [B, L, h, w]
    }

    public Tensor Mean { get; }
    public Tensor LogVar { get; }
    public Tensor Std { get; }

    /// <summary>The most likely latent (diffusers <c>mode()</c>): the mean.</summary>
    public Tensor Mode() => Mean;

    /// <summary>mean + std · noise, with <paramref name="noise"/> ~ N(0, 1) of the latent shape drawn by the caller (diffusers <c>sample(generator)</c>).</summary>
    public Tensor Sample(Tensor noise)
    {
        ArgumentNullException.ThrowIfNull(noise);
        if (noise.Shape != Mean.Shape)
            throw new TensorShapeException("DiagonalGaussian.Sample", $"noise {noise.Shape}", $"noise of the latent shape {Mean.Shape}");
        return Mean + Std * noise;
    }
}
