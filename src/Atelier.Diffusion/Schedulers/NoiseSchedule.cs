using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// The forward (noising) process every scheduler shares: betas, alphas = 1 - betas, alphas_cumprod (written
/// alpha-bar in Ho et al. 2020) and the Karras sigma table sigma_t = sqrt((1 - alpha-bar_t) / alpha-bar_t), all in
/// float32 exactly as diffusers 0.30 computes them with PyTorch (gotcha G22: a float64 recomputation drifts by ~1e-7
/// relative). Index = training timestep 0 … T-1. Immutable.
/// </summary>
public sealed class NoiseSchedule
{
    private readonly float[] _betas;
    private readonly float[] _alphas;
    private readonly float[] _alphasCumprod;
    private readonly float[] _sigmaTable;

    private NoiseSchedule(float[] betas, float[] alphasCumprod)
    {
        _betas = betas;
        _alphas = new float[betas.Length];
        for (int i = 0; i < betas.Length; i++)
            _alphas[i] = 1f - betas[i];
        _alphasCumprod = alphasCumprod;
        _sigmaTable = new float[betas.Length];
        for (int i = 0; i < betas.Length; i++)
            _sigmaTable[i] = MathF.Sqrt((1f - alphasCumprod[i]) / alphasCumprod[i]);
    }

    /// <summary>
    /// The schedule of a diffusers config: <paramref name="trainedBetas"/> when given (rounded to float32), else
    /// <paramref name="betaSchedule"/> from <paramref name="betaStart"/> to <paramref name="betaEnd"/>; optionally
    /// rescaled to zero terminal SNR (Lin et al. 2023, Algorithm 1).
    /// </summary>
    public static NoiseSchedule Create(
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        IReadOnlyList<double>? trainedBetas = null,
        bool rescaleBetasZeroSnr = false)
    {
        if (numTrainTimesteps < 2)
            throw new ArgumentOutOfRangeException(nameof(numTrainTimesteps), numTrainTimesteps, "NoiseSchedule: num_train_timesteps must be at least 2.");
        float[] betas;
        if (trainedBetas is not null)
        {
            if (trainedBetas.Count != numTrainTimesteps)
                throw new ArgumentException($"NoiseSchedule: trained_betas has {trainedBetas.Count} values but num_train_timesteps is {numTrainTimesteps}; expected one beta per training timestep.", nameof(trainedBetas));
            betas = new float[numTrainTimesteps];
            for (int i = 0; i < betas.Length; i++)
                betas[i] = (float)trainedBetas[i];
        }
        else
        {
            betas = betaSchedule switch
            {
                BetaSchedule.Linear => TorchLinspace.Float32(betaStart, betaEnd, numTrainTimesteps),
                BetaSchedule.ScaledLinear => Squared(TorchLinspace.Float32(Math.Sqrt(betaStart), Math.Sqrt(betaEnd), numTrainTimesteps)),
                BetaSchedule.SquaredCosCapV2 => CosineBetas(numTrainTimesteps),
                _ => throw new ArgumentOutOfRangeException(nameof(betaSchedule), betaSchedule, "NoiseSchedule: unknown beta schedule."),
            };
        }
        for (int i = 0; i < betas.Length; i++)
        {
            if (!(betas[i] >= 0f && betas[i] <= 1f))
                throw new ArgumentException($"NoiseSchedule: beta[{i}] = {betas[i]}; expected every beta in [0, 1].");
        }
        if (rescaleBetasZeroSnr)
            betas = RescaleZeroTerminalSnr(betas);
        return new NoiseSchedule(betas, Cumprod(OneMinus(betas)));
    }

    public int NumTrainTimesteps => _betas.Length;

    public IReadOnlyList<float> Betas => _betas;

    public IReadOnlyList<float> Alphas => _alphas;

    public IReadOnlyList<float> AlphasCumprod => _alphasCumprod;

    /// <summary>sigma_t = ((1 - alpha-bar_t) / alpha-bar_t) ** 0.5 per training timestep (increasing in t).</summary>
    public IReadOnlyList<float> SigmaTable => _sigmaTable;

    /// <summary>alpha-bar at training timestep <paramref name="t"/>; throws naming the range when it is outside it.</summary>
    public float AlphaCumprod(int t)
    {
        if ((uint)t >= (uint)_alphasCumprod.Length)
            throw new ArgumentOutOfRangeException(nameof(t), t, $"NoiseSchedule: timestep {t} is outside the training schedule; expected 0 … {_alphasCumprod.Length - 1}.");
        return _alphasCumprod[t];
    }

    /// <summary>
    /// This schedule with alpha-bar at the last timestep replaced. diffusers' sigma schedulers (Euler, Euler ancestral,
    /// DPM-Solver) set it to 2^-24 after a zero-SNR rescale so that the first sigma stays finite.
    /// </summary>
    public NoiseSchedule WithFinalAlphaCumprod(float value)
    {
        var alphasCumprod = (float[])_alphasCumprod.Clone();
        alphasCumprod[^1] = value;
        return new NoiseSchedule(_betas, alphasCumprod);
    }

    /// <summary>
    /// q(x_t | x_0) of Ho et al. 2020, eq. 4: <c>sqrt(alpha-bar_t) * original + sqrt(1 - alpha-bar_t) * noise</c> (the
    /// forward process img2img, inpainting and training start from).
    /// </summary>
    public Tensor AddNoise(Tensor original, Tensor noise, int t)
    {
        RequireSameShape("add_noise", original, noise, "original", "noise");
        float a = AlphaCumprod(t);
        return original * MathF.Sqrt(a) + noise * MathF.Sqrt(1f - a);
    }

    /// <summary>The v-prediction target (Salimans and Ho 2022, §4): <c>sqrt(alpha-bar_t) * noise - sqrt(1 - alpha-bar_t) * sample</c>.</summary>
    public Tensor GetVelocity(Tensor sample, Tensor noise, int t)
    {
        RequireSameShape("get_velocity", sample, noise, "sample", "noise");
        float a = AlphaCumprod(t);
        return noise * MathF.Sqrt(a) - sample * MathF.Sqrt(1f - a);
    }

    internal static void RequireSameShape(string op, Tensor a, Tensor b, string aName, string bName)
    {
        if (a.Shape != b.Shape)
            throw new TensorShapeException(op, $"{aName} {a.Shape} and {bName} {b.Shape} differ", $"{bName} of the same shape as {aName}");
    }

    private static float[] Squared(float[] x)
    {
        for (int i = 0; i < x.Length; i++)
            x[i] *= x[i];
        return x;
    }

    private static float[] OneMinus(float[] x)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
            y[i] = 1f - x[i];
        return y;
    }

    // torch.cumprod on CPU accumulates in the accumulate type of float, which is double (ATen/AccumulateType.h),
    // and rounds each prefix product to float.
    private static float[] Cumprod(float[] x)
    {
        var y = new float[x.Length];
        double acc = 1.0;
        for (int i = 0; i < x.Length; i++)
        {
            acc *= x[i];
            y[i] = (float)acc;
        }
        return y;
    }

    // diffusers betas_for_alpha_bar (cosine): Python floats, then torch.tensor(..., dtype=float32).
    private static float[] CosineBetas(int n, double maxBeta = 0.999)
    {
        var betas = new float[n];
        for (int i = 0; i < n; i++)
        {
            double t1 = i / (double)n;
            double t2 = (i + 1) / (double)n;
            betas[i] = (float)Math.Min(1 - AlphaBar(t2) / AlphaBar(t1), maxBeta);
        }
        return betas;

        static double AlphaBar(double t)
        {
            double c = Math.Cos((t + 0.008) / 1.008 * Math.PI / 2);
            return c * c;
        }
    }

    // Lin et al. 2023, Algorithm 1, in float32 as diffusers' rescale_zero_terminal_snr computes it.
    private static float[] RescaleZeroTerminalSnr(float[] betas)
    {
        float[] alphasCumprod = Cumprod(OneMinus(betas));
        int n = betas.Length;
        var sqrtBar = new float[n];
        for (int i = 0; i < n; i++)
            sqrtBar[i] = MathF.Sqrt(alphasCumprod[i]);
        float first = sqrtBar[0];
        float last = sqrtBar[n - 1];
        float scale = first / (first - last);
        for (int i = 0; i < n; i++)
            sqrtBar[i] = (sqrtBar[i] - last) * scale;
        var bar = new float[n];
        for (int i = 0; i < n; i++)
            bar[i] = sqrtBar[i] * sqrtBar[i];
        var rescaled = new float[n];
        rescaled[0] = 1f - bar[0];
        for (int i = 1; i < n; i++)
            rescaled[i] = 1f - bar[i] / bar[i - 1];
        return rescaled;
    }
}
