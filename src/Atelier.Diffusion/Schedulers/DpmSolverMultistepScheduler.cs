using System.Text.Json.Nodes;
using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

// DPM-Solver++(2M): Lu, Zhou, Bao, Chen, Li and Zhu 2022, "DPM-Solver++: Fast Solver for Guided Sampling of Diffusion
// Probabilistic Models" (arXiv:2211.01095), Algorithm 2 (multistep second order, data prediction), in the
// half-log-SNR lambda = log(alpha_t / sigma_t); the first step and (below 15 steps, or with a zero final sigma) the
// last are first order (= DDIM). Karras sigmas: Karras et al. 2022, eq. 5 with rho = 7, timesteps found by
// interpolating log sigma (gotcha G24). Reference: diffusers 0.30.3 DPMSolverMultistepScheduler. Differs: order 3,
// the noise-prediction and SDE variants, Lu lambdas, learned variances and thresholding are refused.
// Shapes: every tensor is the latent shape [B, C, H, W].

/// <summary>DPM-Solver++ 2M (<c>"dpmpp_2m"</c>, <c>"dpmpp_2m_karras"</c>).</summary>
public sealed class DpmSolverMultistepScheduler : Scheduler
{
    private readonly HeldTensor?[] _modelOutputs;
    private int _lowerOrderNums;

    public DpmSolverMultistepScheduler(DpmSolverMultistepConfig? config = null)
        : base((config ?? new DpmSolverMultistepConfig()).CreateSchedule())
    {
        Config = config ?? new DpmSolverMultistepConfig();
        Unsupported.If(Config.AlgorithmType != "dpmsolver++", ClassName, "algorithm_type", $"\"{Config.AlgorithmType}\"", "only the deterministic data-prediction solver \"dpmsolver++\" is implemented");
        Unsupported.If(Config.SolverOrder is not (1 or 2), ClassName, "solver_order", Config.SolverOrder.ToString(System.Globalization.CultureInfo.InvariantCulture), "orders 1 and 2 are implemented");
        Unsupported.If(Config.UseLuLambdas, ClassName, "use_lu_lambdas", "true", "uniform-logSNR steps are not implemented");
        Unsupported.If(Config.VarianceType is not null, ClassName, "variance_type", $"\"{Config.VarianceType}\"", "learned variances are not implemented");
        Unsupported.If(Config.Thresholding, ClassName, "thresholding", "true", Unsupported.Thresholding);
        _modelOutputs = new HeldTensor?[Config.SolverOrder];
    }

    public DpmSolverMultistepConfig Config { get; }

    public override string ClassName => DpmSolverMultistepConfig.ClassName;

    public override PredictionType PredictionType => Config.PredictionType;

    public override JsonObject ToConfig() => Config.ToConfig();

    protected override (double[] Timesteps, float[]? Sigmas) ComputeTimesteps(int numInferenceSteps)
    {
        int n = numInferenceSteps;
        int trainSteps = Schedule.NumTrainTimesteps;
        var table = Schedule.SigmaTable;

        // Timesteps whose lambda(t) is below lambda_min_clipped are never used (critical for the cosine schedule).
        int lastTimestep = trainSteps - ClippedIndex();
        double[] timesteps;
        switch (Config.TimestepSpacing)
        {
            case TimestepSpacing.Linspace:
            {
                // np.linspace(0, last - 1, N + 1).round()[::-1][:-1]
                double[] points = NumPy.Linspace(0, lastTimestep - 1, n + 1);
                timesteps = new double[n];
                for (int i = 0; i < n; i++)
                    timesteps[i] = NumPy.Round(points[n - i]);
                break;
            }
            case TimestepSpacing.Leading:
            {
                // (np.arange(0, N + 1) * (last // (N + 1))).round()[::-1][:-1] + steps_offset (gotcha G24)
                int ratio = lastTimestep / (n + 1);
                timesteps = new double[n];
                for (int i = 0; i < n; i++)
                    timesteps[i] = (double)(n - i) * ratio + Config.StepsOffset;
                break;
            }
            default:
            {
                // np.arange(last, 0, -T / N).round() - 1
                double[] points = NumPy.Arange(lastTimestep, 0, -(trainSteps / (double)n));
                timesteps = new double[points.Length];
                for (int i = 0; i < points.Length; i++)
                    timesteps[i] = NumPy.Round(points[i]) - 1;
                break;
            }
        }

        double[] sigmas;
        if (Config.UseKarrasSigmas)
        {
            sigmas = KarrasSigmas(table[0], table[^1], n);
            float[] logSigmas = new float[table.Count];
            for (int i = 0; i < logSigmas.Length; i++)
                logSigmas[i] = MathF.Log(table[i]);
            timesteps = new double[sigmas.Length];
            for (int i = 0; i < sigmas.Length; i++)
                timesteps[i] = NumPy.Round(SigmaToTimestep(sigmas[i], logSigmas));
        }
        else
        {
            var xp = new double[table.Count];
            var fp = new double[table.Count];
            for (int i = 0; i < xp.Length; i++)
            {
                xp[i] = i;
                fp[i] = table[i];
            }
            sigmas = new double[timesteps.Length];
            for (int i = 0; i < timesteps.Length; i++)
                sigmas[i] = NumPy.Interp(timesteps[i], xp, fp);
        }

        var result = new float[sigmas.Length + 1];
        for (int i = 0; i < sigmas.Length; i++)
            result[i] = (float)sigmas[i];
        result[^1] = Config.FinalSigmasType == "sigma_min" ? table[0] : 0f;
        return (timesteps, result);
    }

    protected override void ResetState()
    {
        Array.Clear(_modelOutputs);
        _lowerOrderNums = 0;
    }

    /// <summary>Like diffusers: a timestep not in the schedule maps to the last step (for add_noise).</summary>
    protected override int IndexForTimestep(double timestep) =>
        Timesteps.Contains(timestep) ? base.IndexForTimestep(timestep) : Timesteps.Count - 1;

    protected override SchedulerOutput StepCore(Tensor modelOutput, double timestep, Tensor sample, INoiseSource? noise)
    {
        int i = CurrentStepIndex(timestep, nameof(Step));
        int count = Timesteps.Count;
        // Lower orders at the end improve stability for few steps; a zero final sigma makes the last step first order.
        bool lowerOrderFinal = i == count - 1
            && (Config.EulerAtFinal || (Config.LowerOrderFinal && count < 15) || Config.FinalSigmasType == "zero");

        // Data prediction x0 = (x - sigma_t eps) / alpha_t (or from v), stored for the multistep update.
        var x0 = ConvertModelOutput(modelOutput, sample, Sigmas![i]);
        for (int k = 0; k < _modelOutputs.Length - 1; k++)
            _modelOutputs[k] = _modelOutputs[k + 1];
        _modelOutputs[^1] = new HeldTensor(x0);

        var prevSample = Config.SolverOrder == 1 || _lowerOrderNums < 1 || lowerOrderFinal
            ? FirstOrderUpdate(x0, sample, i)
            : SecondOrderUpdate(x0, _modelOutputs[^2]!.ToTensor(), sample, i);

        if (_lowerOrderNums < Config.SolverOrder)
            _lowerOrderNums++;
        AdvanceStepIndex();
        return new SchedulerOutput(prevSample, x0);
    }

    protected override Tensor AddNoiseCore(Tensor original, Tensor noise, double timestep)
    {
        RequireTimesteps(nameof(AddNoise));
        var (alphaT, sigmaT) = AlphaSigma(Sigmas![AddNoiseIndex(timestep)]);
        return original * alphaT + noise * sigmaT;
    }

    protected override Scheduler CreateFresh() => new DpmSolverMultistepScheduler(Config);

    // A Karras sigma s is the VP pair alpha_t = 1 / sqrt(s^2 + 1), sigma_t = s * alpha_t.
    private static (float Alpha, float Sigma) AlphaSigma(float sigma)
    {
        float alpha = 1f / MathF.Sqrt(sigma * sigma + 1f);
        return (alpha, sigma * alpha);
    }

    private static float Lambda(float alpha, float sigma) => MathF.Log(alpha) - MathF.Log(sigma);

    private Tensor ConvertModelOutput(Tensor modelOutput, Tensor sample, float sigma)
    {
        var (alphaT, sigmaT) = AlphaSigma(sigma);
        return PredictionType switch
        {
            PredictionType.Epsilon => (sample - modelOutput * sigmaT) / alphaT,
            PredictionType.Sample => modelOutput,
            _ => sample * alphaT - modelOutput * sigmaT,
        };
    }

    // DPM-Solver++ first order (= DDIM): x_t = (sigma_t / sigma_s) x - alpha_t (e^{-h} - 1) x0, h = lambda_t - lambda_s.
    private Tensor FirstOrderUpdate(Tensor x0, Tensor sample, int i)
    {
        var (alphaT, sigmaT) = AlphaSigma(Sigmas![i + 1]);
        var (alphaS, sigmaS) = AlphaSigma(Sigmas[i]);
        float h = Lambda(alphaT, sigmaT) - Lambda(alphaS, sigmaS);
        return sample * (sigmaT / sigmaS) - x0 * (alphaT * (MathF.Exp(-h) - 1f));
    }

    // Algorithm 2: D0 = m0, D1 = (m0 - m1) / r0 with r0 = h_0 / h;
    // midpoint: x_t = (sigma_t / sigma_s0) x - alpha_t (e^{-h} - 1) D0 - 0.5 alpha_t (e^{-h} - 1) D1.
    private Tensor SecondOrderUpdate(Tensor m0, Tensor m1, Tensor sample, int i)
    {
        var (alphaT, sigmaT) = AlphaSigma(Sigmas![i + 1]);
        var (alphaS0, sigmaS0) = AlphaSigma(Sigmas[i]);
        var (alphaS1, sigmaS1) = AlphaSigma(Sigmas[i - 1]);
        float lambdaT = Lambda(alphaT, sigmaT);
        float lambdaS0 = Lambda(alphaS0, sigmaS0);
        float lambdaS1 = Lambda(alphaS1, sigmaS1);
        float h = lambdaT - lambdaS0;
        float h0 = lambdaS0 - lambdaS1;
        float r0 = h0 / h;
        var d1 = (m0 - m1) * (1f / r0);
        float expMinusH = MathF.Exp(-h);
        var x = sample * (sigmaT / sigmaS0) - m0 * (alphaT * (expMinusH - 1f));
        return Config.SolverType == "midpoint"
            ? x - d1 * (0.5f * (alphaT * (expMinusH - 1f)))
            : x + d1 * (alphaT * ((expMinusH - 1f) / h + 1f));
    }

    // torch.searchsorted(torch.flip(lambda_t), lambda_min_clipped): the number of timesteps (from the noisy end)
    // whose lambda(t) = log(sqrt(a)) - log(sqrt(1 - a)) lies below the clip.
    private int ClippedIndex()
    {
        var acp = Schedule.AlphasCumprod;
        int count = 0;
        for (int t = acp.Count - 1; t >= 0; t--)
        {
            float lambda = MathF.Log(MathF.Sqrt(acp[t])) - MathF.Log(MathF.Sqrt(1f - acp[t]));
            if (lambda >= Config.LambdaMinClipped)
                break;
            count++;
        }
        return count;
    }

    // Karras et al. 2022, eq. 5: sigma_i = (sigma_max^(1/rho) + i / (N - 1) (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho, rho = 7.
    private static double[] KarrasSigmas(double sigmaMin, double sigmaMax, int n)
    {
        const double Rho = 7.0; // "7.0 is the value used in the paper"
        double[] ramp = NumPy.Linspace(0, 1, n);
        double minInvRho = Math.Pow(sigmaMin, 1 / Rho);
        double maxInvRho = Math.Pow(sigmaMax, 1 / Rho);
        var sigmas = new double[n];
        for (int i = 0; i < n; i++)
            sigmas[i] = Math.Pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), Rho);
        return sigmas;
    }

    // diffusers _sigma_to_t: the fractional training timestep where log sigma falls between two table entries
    // (the float32 log-sigma table, the difference of neighbours taken in float32 as NumPy does).
    private static double SigmaToTimestep(double sigma, float[] logSigmas)
    {
        double logSigma = Math.Log(Math.Max(sigma, 1e-10));
        int low = 0;
        for (int i = 0; i < logSigmas.Length; i++)
            if (logSigma - logSigmas[i] >= 0)
                low = i;
        low = Math.Min(low, logSigmas.Length - 2);
        int high = low + 1;
        float lowValue = logSigmas[low];
        float highValue = logSigmas[high];
        double w = Math.Clamp((lowValue - logSigma) / (lowValue - highValue), 0, 1);
        return (1 - w) * low + w * high;
    }
}
