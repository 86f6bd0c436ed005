using System.Text.Json.Nodes;
using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

// LMS: k-diffusion's sample_lms (Crowson), a linear multistep (Adams-Bashforth) method for the probability-flow ODE
// dx/dsigma = d(x, sigma) = (x - x0) / sigma of Karras et al. 2022: x_next = x + sum_k c_k d_{i-k}, where c_k is the
// integral from sigma_i to sigma_{i+1} of the Lagrange basis polynomial of node sigma_{i-k} over the last `order`
// sigmas. Reference: diffusers 0.30.3 LMSDiscreteScheduler, which integrates with scipy's quad; the integral here is
// exact (the integrand is a polynomial), which agrees to ~1e-15 (gotcha G27). Differs: Karras sigmas are refused.
// Shapes: every tensor is the latent shape [B, C, H, W].

/// <summary>LMS (<c>"lms"</c>), order 4 by default.</summary>
public sealed class LmsScheduler : Scheduler
{
    private readonly List<HeldTensor> _derivatives = [];
    private int _multistepOrder = 4;

    public LmsScheduler(LmsConfig? config = null)
        : base((config ?? new LmsConfig()).CreateSchedule())
    {
        Config = config ?? new LmsConfig();
        Unsupported.If(Config.UseKarrasSigmas, ClassName, "use_karras_sigmas", "true", "Karras sigmas are implemented for DPM-Solver++ only (\"dpmpp_2m_karras\")");
    }

    public LmsConfig Config { get; }

    public override string ClassName => LmsConfig.ClassName;

    public override PredictionType PredictionType => Config.PredictionType;

    public override bool HasIntegerTimesteps => false;

    public override float InitNoiseSigma => SigmaSteps.InitNoiseSigma(Sigmas ?? Schedule.SigmaTable, Config.TimestepSpacing);

    /// <summary>How many past derivatives the multistep formula uses (diffusers' <c>order</c> step argument, default 4).</summary>
    public int MultistepOrder
    {
        get => _multistepOrder;
        set => _multistepOrder = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"{ClassName}: the multistep order must be at least 1.");
    }

    public override JsonObject ToConfig() => Config.ToConfig();

    public override Tensor ScaleModelInput(Tensor sample, double timestep)
    {
        RequireTimesteps(nameof(ScaleModelInput));
        return SigmaSteps.ScaleInput(sample, Sigmas![CurrentStepIndex(timestep, nameof(ScaleModelInput))]);
    }

    /// <summary>
    /// c_k for step <paramref name="i"/>: the integral over [sigma_i, sigma_{i+1}] of the Lagrange basis polynomial that
    /// is 1 at sigma_{i-k} and 0 at the other nodes sigma_i … sigma_{i-order+1}.
    /// </summary>
    internal double LmsCoefficient(int order, int i, int k)
    {
        var sigmas = Sigmas!;
        double from = sigmas[i];
        double to = sigmas[i + 1];
        // Integrate in s = tau - sigma_i over [0, sigma_{i+1} - sigma_i]: no cancellation between large powers.
        double nodeK = sigmas[i - k] - from;
        double[] polynomial = [1.0]; // coefficients of s^0, s^1, …
        double denominator = 1.0;
        for (int j = 0; j < order; j++)
        {
            if (j == k)
                continue;
            double node = sigmas[i - j] - from;
            var next = new double[polynomial.Length + 1];
            for (int p = 0; p < polynomial.Length; p++)
            {
                next[p + 1] += polynomial[p];
                next[p] -= node * polynomial[p];
            }
            polynomial = next;
            denominator *= nodeK - node;
        }
        double h = to - from;
        double integral = 0;
        double hPower = h;
        for (int p = 0; p < polynomial.Length; p++)
        {
            integral += polynomial[p] * hPower / (p + 1);
            hPower *= h;
        }
        return integral / denominator;
    }

    protected override (double[] Timesteps, float[]? Sigmas) ComputeTimesteps(int numInferenceSteps)
    {
        double[] timesteps = SpacedTimesteps.Descending(Config.TimestepSpacing, numInferenceSteps, Schedule.NumTrainTimesteps, Config.StepsOffset, LinspaceValues.Float64);
        float[] sigmas = SigmaSteps.Interpolate(timesteps, Schedule, 0f);
        // diffusers keeps LMS timesteps as float32 (the sigmas were interpolated at the float64 values).
        for (int i = 0; i < timesteps.Length; i++)
            timesteps[i] = (float)timesteps[i];
        return (timesteps, sigmas);
    }

    protected override void ResetState() => _derivatives.Clear();

    protected override SchedulerOutput StepCore(Tensor modelOutput, double timestep, Tensor sample, INoiseSource? noise)
    {
        int i = CurrentStepIndex(timestep, nameof(Step));
        float sigma = Sigmas![i];

        // 1. x0, and the ODE derivative d = (x - x0) / sigma.
        var predOriginal = SigmaSteps.PredictOriginal(PredictionType, sample, modelOutput, sigma);
        var derivative = (sample - predOriginal) / sigma;
        _derivatives.Add(new HeldTensor(derivative));
        if (_derivatives.Count > _multistepOrder)
            _derivatives.RemoveAt(0);

        // 2. x_next = x + sum_k c_k d_{i-k}, newest derivative first. Like diffusers (zip of coefficients and
        // derivatives), a run that began mid-schedule uses the coefficients of min(i + 1, order) nodes but only the
        // derivatives it has.
        int order = Math.Min(i + 1, _multistepOrder);
        Tensor? sum = null;
        for (int k = 0; k < Math.Min(order, _derivatives.Count); k++)
        {
            var term = _derivatives[^(k + 1)].ToTensor() * (float)LmsCoefficient(order, i, k);
            sum = sum is null ? term : sum + term;
        }
        var prevSample = sample + sum!;

        AdvanceStepIndex();
        return new SchedulerOutput(prevSample, predOriginal);
    }

    protected override Tensor AddNoiseCore(Tensor original, Tensor noise, double timestep)
    {
        RequireTimesteps(nameof(AddNoise));
        return original + noise * Sigmas![AddNoiseIndex(timestep)];
    }

    protected override Scheduler CreateFresh() => new LmsScheduler(Config) { MultistepOrder = MultistepOrder };
}
