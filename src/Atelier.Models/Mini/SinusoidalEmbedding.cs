using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// The sinusoidal timestep embedding of GLIDE's <c>timestep_embedding</c> (after "Attention Is All You Need" §3.5,
/// as DDPM uses it): freq_i = 10000^(-i/half), emb = [cos(t·freq), sin(t·freq)]. Computed in double precision on
/// the host (the steps are plain numbers, never trained), then rounded to float32.
/// </summary>
public static class SinusoidalEmbedding
{
    // GLIDE timestep_embedding(max_period=10000).
    private const double MaxPeriod = 10000;

    /// <summary>timesteps [B] → [B, dim] (dim even).</summary>
    public static Tensor Embed(ReadOnlySpan<float> timesteps, int dim)
    {
        if (dim < 2 || dim % 2 != 0)
            throw new ArgumentException($"SinusoidalEmbedding: width {dim} must be even and at least 2.", nameof(dim));
        int b = timesteps.Length, half = dim / 2;
        var values = new float[b * dim];
        for (int i = 0; i < b; i++)
        {
            for (int j = 0; j < half; j++)
            {
                double argument = timesteps[i] * Math.Exp(-Math.Log(MaxPeriod) * j / half);
                values[i * dim + j] = (float)Math.Cos(argument);
                values[i * dim + half + j] = (float)Math.Sin(argument);
            }
        }
        return Tensor.FromArray(values, [b, dim]);   // [B, dim]
    }
}
