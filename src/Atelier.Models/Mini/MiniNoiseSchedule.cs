using Atelier.Tensors;

namespace Atelier.Models.Mini;

/// <summary>
/// The forward (noising) process shared by the prior and the decoder: the cosine schedule of Nichol &amp; Dhariwal
/// 2021 ("Improved DDPM", eq. 17: ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2), s = 0.008, each
/// βₜ = 1 − ᾱₜ/ᾱₜ₋₁ clipped at 0.999) over T = 1000 steps, as diffusers' "squaredcos_cap_v2" betas. Timesteps are
/// indices 0 … T−1 with ᾱ of index t = ∏_{i ≤ t} (1 − βᵢ).
/// </summary>
/// <remarks>
/// Notation (DDPM, Ho et al. 2020): α̅ₜ = <see cref="AlphasCumprod"/>[t], aₜ = √α̅ₜ (signal), σₜ = √(1 − α̅ₜ) (noise).
/// x_t = aₜ x₀ + σₜ ε (eq. 4); v = aₜ ε − σₜ x₀ (Salimans &amp; Ho 2022, §4); x₀ = aₜ x_t − σₜ v; ε = σₜ x_t + aₜ v.
/// </remarks>
public sealed class MiniNoiseSchedule
{
    /// <summary>Improved DDPM §3.2: the small offset s that keeps β₀ from being vanishingly small.</summary>
    public const double CosineOffset = 0.008;

    /// <summary>Improved DDPM §3.2: βₜ is clipped to at most 0.999 to avoid a singularity at t = T.</summary>
    public const double MaxBeta = 0.999;

    private readonly double[] _alphasCumprod;

    public MiniNoiseSchedule(int trainSteps = 1000)
    {
        if (trainSteps < 2)
            throw new ArgumentOutOfRangeException(nameof(trainSteps), trainSteps, "the noise schedule needs at least 2 training steps.");
        TrainSteps = trainSteps;
        _alphasCumprod = new double[trainSteps];
        double product = 1;
        for (int t = 0; t < trainSteps; t++)
        {
            double beta = Math.Min(1 - F((t + 1.0) / trainSteps) / F((double)t / trainSteps), MaxBeta);
            product *= 1 - beta;
            _alphasCumprod[t] = product;
        }

        static double F(double u) => Math.Pow(Math.Cos((u + CosineOffset) / (1 + CosineOffset) * Math.PI / 2), 2);
    }

    /// <summary>T, the number of noise levels the models are trained on.</summary>
    public int TrainSteps { get; }

    /// <summary>ᾱₜ for t = 0 … T−1 (decreasing from ≈1 to ≈0).</summary>
    public ReadOnlySpan<double> AlphasCumprod => _alphasCumprod;

    /// <summary>ᾱ of timestep <paramref name="t"/>; t = −1 stands for the clean data (ᾱ = 1), the end of sampling.</summary>
    public double AlphaCumprod(int t)
    {
        if (t == -1) return 1;
        if ((uint)t >= (uint)TrainSteps)
            throw new ArgumentOutOfRangeException(nameof(t), t, $"timestep outside the schedule's [0, {TrainSteps - 1}] (or -1 for the clean data).");
        return _alphasCumprod[t];
    }

    /// <summary>
    /// <paramref name="steps"/> sampling timesteps from T−1 down, evenly spaced with the last at T/steps − 1
    /// ("trailing" spacing, Lin et al. 2024 "Common Diffusion Noise Schedules and Sample Steps are Flawed" §3.3), so the
    /// first step always starts from pure noise.
    /// </summary>
    public int[] SamplingTimesteps(int steps)
    {
        if (steps < 1 || steps > TrainSteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"sampling steps must be in [1, {TrainSteps}].");
        var timesteps = new int[steps];
        for (int i = 0; i < steps; i++)
            timesteps[i] = (int)Math.Round((double)TrainSteps * (steps - i) / steps) - 1;
        return timesteps;
    }

    /// <summary>x_t = aₜ x₀ + σₜ ε per sample (DDPM eq. 4); x₀ and ε [B, …], one timestep per sample.</summary>
    public Tensor AddNoise(Tensor original, Tensor noise, ReadOnlySpan<int> timesteps)
    {
        CheckPair("add_noise", original, noise, timesteps.Length);
        return original.Mul(SignalRates(timesteps, original.Rank)).Add(noise.Mul(NoiseRates(timesteps, original.Rank)));
    }

    /// <summary>The v target aₜ ε − σₜ x₀ (Salimans &amp; Ho 2022, eq. in §4) per sample.</summary>
    public Tensor Velocity(Tensor original, Tensor noise, ReadOnlySpan<int> timesteps)
    {
        CheckPair("velocity", original, noise, timesteps.Length);
        return noise.Mul(SignalRates(timesteps, original.Rank)).Sub(original.Mul(NoiseRates(timesteps, original.Rank)));
    }

    /// <summary>x̂₀ from a model output: x₀ = aₜ x_t − σₜ v (v-prediction) or (x_t − σₜ ε)/aₜ (ε-prediction, DDPM eq. 15).</summary>
    public Tensor PredictedOriginal(Tensor sample, Tensor modelOutput, ReadOnlySpan<int> timesteps, MiniPrediction prediction)
    {
        CheckPair("predicted_original", sample, modelOutput, timesteps.Length);
        Tensor a = SignalRates(timesteps, sample.Rank), s = NoiseRates(timesteps, sample.Rank);
        return prediction switch
        {
            MiniPrediction.Velocity => sample.Mul(a).Sub(modelOutput.Mul(s)),
            MiniPrediction.Epsilon => sample.Sub(modelOutput.Mul(s)).Div(a),
            MiniPrediction.Original => modelOutput,
            _ => throw new ArgumentOutOfRangeException(nameof(prediction), prediction, "unknown prediction type"),
        };
    }

    /// <summary>aₜ = √ᾱₜ per sample, shaped [B, 1, …] to broadcast over a tensor of <paramref name="rank"/>.</summary>
    public Tensor SignalRates(ReadOnlySpan<int> timesteps, int rank) => PerSample(timesteps, rank, noise: false);

    /// <summary>σₜ = √(1 − ᾱₜ) per sample, shaped [B, 1, …].</summary>
    public Tensor NoiseRates(ReadOnlySpan<int> timesteps, int rank) => PerSample(timesteps, rank, noise: true);

    private Tensor PerSample(ReadOnlySpan<int> timesteps, int rank, bool noise)
    {
        var values = new float[timesteps.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double alphaCumprod = AlphaCumprod(timesteps[i]);
            values[i] = (float)Math.Sqrt(noise ? 1 - alphaCumprod : alphaCumprod);
        }
        var shape = new int[rank];
        shape.AsSpan().Fill(1);
        shape[0] = values.Length;
        return Tensor.FromArray(values, shape);   // [B, 1, …]
    }

    private static void CheckPair(string op, Tensor a, Tensor b, int timesteps)
    {
        if (a.Shape != b.Shape)
            throw new TensorShapeException(op, $"{a.Shape} and {b.Shape}", "two tensors of the same shape");
        if (a.Rank < 1 || a.Shape[0] != timesteps)
            throw new TensorShapeException(op, $"{timesteps} timesteps for a batch {a.Shape}", "one timestep per sample (dimension 0)");
    }
}
