using System.Text.Json.Nodes;
using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

// PNDM / PLMS: Liu, Ren, Lin and Zhao 2022, "Pseudo Numerical Methods for Diffusion Models on Manifolds"
// (arXiv:2202.09778): the transfer function phi of eq. 9 driven by the linear multistep (Adams-Bashforth) combination
// of eq. 12, with the warm-up of crowsonkb's PLMS sampler instead of Runge-Kutta steps (diffusers skip_prk_steps,
// gotcha G26). Reference: diffusers 0.30.3 PNDMScheduler.step_plms. Differs: the Runge-Kutta warm-up
// (skip_prk_steps = false) is refused. Shapes: every tensor is the latent shape [B, C, H, W].

/// <summary>
/// PLMS (<c>"pndm"</c>): N + 1 model calls, the second timestep repeated (N=4: 751, 501, 501, 251, 1). Call 0 stores
/// x_t and e0 and returns a provisional step; call 1 redoes that step from the stored x_t with (e0 + e1) / 2 and does
/// not keep e1; later calls combine up to four stored outputs.
/// </summary>
public sealed class PndmScheduler : Scheduler
{
    private readonly float _finalAlphaCumprod;
    private readonly List<HeldTensor> _ets = [];
    private HeldTensor? _curSample;
    private int _counter;

    public PndmScheduler(PndmConfig? config = null)
        : base((config ?? new PndmConfig()).CreateSchedule())
    {
        Config = config ?? new PndmConfig();
        Unsupported.If(!Config.SkipPrkSteps, ClassName, "skip_prk_steps", "false", "only the PLMS mode is implemented; every Stable Diffusion config sets skip_prk_steps = true");
        Unsupported.If(Config.PredictionType == PredictionType.Sample, ClassName, "prediction_type", "\"sample\"", "diffusers' PNDM takes epsilon or v_prediction only");
        _finalAlphaCumprod = Config.SetAlphaToOne ? 1f : Schedule.AlphasCumprod[0];
    }

    public PndmConfig Config { get; }

    public override string ClassName => PndmConfig.ClassName;

    public override PredictionType PredictionType => Config.PredictionType;

    public override JsonObject ToConfig() => Config.ToConfig();

    protected override (double[] Timesteps, float[]? Sigmas) ComputeTimesteps(int numInferenceSteps)
    {
        double[] descending = SpacedTimesteps.Descending(Config.TimestepSpacing, numInferenceSteps, Schedule.NumTrainTimesteps, Config.StepsOffset, LinspaceValues.Rounded);
        if (descending.Length == 1)
            return (descending, null);
        // plms_timesteps = concat([t[:-1], t[-2:-1], t[-1:]])[::-1] on the ascending list: the second-highest repeats.
        var plms = new double[descending.Length + 1];
        plms[0] = descending[0];
        plms[1] = descending[1];
        Array.Copy(descending, 1, plms, 2, descending.Length - 1);
        return (plms, null);
    }

    protected override void ResetState()
    {
        _ets.Clear();
        _curSample = null;
        _counter = 0;
    }

    protected override SchedulerOutput StepCore(Tensor modelOutput, double timestep, Tensor sample, INoiseSource? noise)
    {
        int ratio = Schedule.NumTrainTimesteps / NumInferenceSteps;
        int t = TrainTimestep(timestep, nameof(Step));
        int prevT = t - ratio;

        if (_counter != 1)
        {
            if (_ets.Count > 3)
                _ets.RemoveAt(0);
            _ets.Add(new HeldTensor(modelOutput));
        }
        else
        {
            // The repeated timestep: redo the first step, t + ratio -> t.
            prevT = t;
            t = TrainTimestep(timestep + ratio, nameof(Step));
        }

        // Linear multistep combination of the stored model outputs (newest = e[^1]), eq. 12.
        Tensor combined;
        if (_ets.Count == 1 && _counter == 0)
        {
            combined = modelOutput;
            _curSample = new HeldTensor(sample);
        }
        else if (_ets.Count == 1 && _counter == 1)
        {
            combined = (modelOutput + E(1)) / 2f;
            sample = _curSample!.ToTensor();
            _curSample = null;
        }
        else if (_ets.Count == 2)
        {
            combined = (E(1) * 3f - E(2)) / 2f;
        }
        else if (_ets.Count == 3)
        {
            combined = (E(1) * 23f - E(2) * 16f + E(3) * 5f) / 12f;
        }
        else
        {
            combined = (E(1) * 55f - E(2) * 59f + E(3) * 37f - E(4) * 9f) * (float)(1.0 / 24);
        }

        var prevSample = PreviousSample(sample, t, prevT, combined);
        _counter++;
        return new SchedulerOutput(prevSample);

        Tensor E(int back) => _ets[^back].ToTensor();
    }

    protected override Tensor AddNoiseCore(Tensor original, Tensor noise, double timestep) =>
        Schedule.AddNoise(original, noise, TrainTimestep(timestep, nameof(AddNoise)));

    protected override Scheduler CreateFresh() => new PndmScheduler(Config);

    // phi(x_t, e, t, t - delta) of eq. 9:
    // x_{t-d} = sqrt(a_{t-d} / a_t) x_t - (a_{t-d} - a_t) e / (a_t sqrt(1 - a_{t-d}) + sqrt(a_t (1 - a_t) a_{t-d})).
    private Tensor PreviousSample(Tensor sample, int t, int prevT, Tensor modelOutput)
    {
        float alphaProdT = Schedule.AlphasCumprod[t];
        float alphaProdTPrev = prevT >= 0 ? Schedule.AlphasCumprod[prevT] : _finalAlphaCumprod;
        float betaProdT = 1f - alphaProdT;
        float betaProdTPrev = 1f - alphaProdTPrev;

        if (PredictionType == PredictionType.VPrediction)
            modelOutput = modelOutput * MathF.Sqrt(alphaProdT) + sample * MathF.Sqrt(betaProdT); // v -> eps (gotcha G28)

        float sampleCoeff = MathF.Sqrt(alphaProdTPrev / alphaProdT);
        float denominator = alphaProdT * MathF.Sqrt(betaProdTPrev) + MathF.Sqrt(alphaProdT * betaProdT * alphaProdTPrev);
        return sample * sampleCoeff - modelOutput * (alphaProdTPrev - alphaProdT) / denominator;
    }
}
