using System.Globalization;
using System.Text.Json.Nodes;
using Atelier.Tensors;

namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// The contract every diffusion scheduler keeps (diffusers' SchedulerMixin, in our naming). A denoising loop reads:
/// <code>
/// scheduler.SetTimesteps(steps);
/// x = initialNoise * scheduler.InitNoiseSigma;                        // [B, C, H, W]
/// foreach (double t in scheduler.Timesteps)
/// {
///     var input = scheduler.ScaleModelInput(x, t);
///     var output = unet.Forward(input, t, context);                     // eps, v or x0 as PredictionType says
///     x = scheduler.Step(output, t, x, noise).PrevSample;
/// }
/// </code>
/// img2img / inpainting start inside the schedule with <see cref="BeginAtStrength"/>. Steps are stateful (multistep
/// history, Heun's two halves, the step counter): run the timesteps in order, once; <see cref="Reset"/> or
/// <see cref="Clone"/> to run again. State is held in managed memory, so it survives the caller's TensorScopes.
/// Randomness comes only from the <see cref="INoiseSource"/> passed to <see cref="Step"/>. Arithmetic follows
/// diffusers 0.30.3 in float32, operation for operation: against the reference fixtures every step is bit-identical
/// except DPM-Solver (PyTorch's vectorised float32 log/exp) and LMS (scipy's quadrature of a float32 integrand),
/// which differ in the last bits (at most 2e-6 per step).
/// </summary>
public abstract class Scheduler
{
    private double[] _timesteps = [];
    private float[]? _sigmas;
    private IReadOnlyList<double> _timestepsView = Array.Empty<double>();
    private IReadOnlyList<float>? _sigmasView;
    private int? _stepIndex;
    private int? _beginIndex;

    protected Scheduler(NoiseSchedule schedule) => Schedule = schedule;

    /// <summary>The training noise schedule (betas, alphas_cumprod, sigma table).</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>The diffusers class this scheduler reproduces (<c>_class_name</c> in scheduler_config.json).</summary>
    public abstract string ClassName { get; }

    public abstract PredictionType PredictionType { get; }

    /// <summary>Model calls per inference step (2 for Heun); img2img skips <c>t_start * Order</c> timesteps.</summary>
    public virtual int Order => 1;

    /// <summary>The N of the last <see cref="SetTimesteps"/>; 0 before.</summary>
    public int NumInferenceSteps { get; private set; }

    /// <summary>
    /// The timesteps to run, one per model call (PNDM and Heun repeat some), highest first. Integers for the
    /// alpha-based schedulers and DPM-Solver (int64 in diffusers), float32 values for Euler, Euler ancestral, LMS and
    /// Heun; see <see cref="HasIntegerTimesteps"/>. Empty before <see cref="SetTimesteps"/>.
    /// </summary>
    public IReadOnlyList<double> Timesteps => _timestepsView;

    /// <summary>True when diffusers holds the timesteps as int64 (the UNet then gets an integer timestep tensor), false for float32.</summary>
    public virtual bool HasIntegerTimesteps => true;

    /// <summary>The sigma per timestep plus the final one, for the sigma schedulers; null for the others.</summary>
    public IReadOnlyList<float>? Sigmas => _sigmasView;

    /// <summary>Standard deviation of the initial noise: the pipeline multiplies its starting latents by it.</summary>
    public virtual float InitNoiseSigma => 1f;

    /// <summary>The position in <see cref="Timesteps"/> of the next step, for schedulers that count steps; null before the first.</summary>
    public int? StepIndex => _stepIndex;

    /// <summary>Where a run starts (set by <see cref="BeginAtStrength"/> or <see cref="SetBeginIndex"/>); null = from the timestep passed.</summary>
    public int? BeginIndex => _beginIndex;

    /// <summary>
    /// Chooses the N inference timesteps (and sigmas) from the config's spacing and clears all run state, like
    /// diffusers' <c>set_timesteps(N)</c>.
    /// </summary>
    public void SetTimesteps(int numInferenceSteps)
    {
        if (numInferenceSteps < 1 || numInferenceSteps > Schedule.NumTrainTimesteps)
            throw new ArgumentOutOfRangeException(nameof(numInferenceSteps), numInferenceSteps, $"{ClassName}.SetTimesteps: expected 1 … {Schedule.NumTrainTimesteps} (num_train_timesteps) inference steps.");
        (_timesteps, _sigmas) = ComputeTimesteps(numInferenceSteps);
        _timestepsView = Array.AsReadOnly(_timesteps);
        _sigmasView = _sigmas is null ? null : Array.AsReadOnly(_sigmas);
        NumInferenceSteps = numInferenceSteps;
        _stepIndex = null;
        _beginIndex = null;
        ResetState();
    }

    /// <summary>Forgets the run in progress (history, step counter, begin index): the next step starts a new run over the same timesteps.</summary>
    public void Reset()
    {
        RequireTimesteps(nameof(Reset));
        SetTimesteps(NumInferenceSteps);
    }

    /// <summary>A new scheduler with the same config and options, and the same timesteps if set, in a fresh state.</summary>
    public Scheduler Clone()
    {
        var clone = CreateFresh();
        if (NumInferenceSteps > 0)
            clone.SetTimesteps(NumInferenceSteps);
        return clone;
    }

    /// <summary>Starts the next run at <c>Timesteps[index]</c> (diffusers <c>set_begin_index</c>).</summary>
    public void SetBeginIndex(int index)
    {
        RequireTimesteps(nameof(SetBeginIndex));
        if ((uint)index >= (uint)_timesteps.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{ClassName}.SetBeginIndex: expected an index into the {_timesteps.Length} timesteps.");
        _beginIndex = index;
    }

    /// <summary>
    /// img2img / inpainting: the timesteps to denoise for <paramref name="strength"/> in [0, 1] (1 = the whole
    /// schedule), as diffusers' pipelines cut them (see <see cref="StrengthWindow"/>); sets the begin index.
    /// </summary>
    public StrengthWindow BeginAtStrength(double strength)
    {
        RequireTimesteps(nameof(BeginAtStrength));
        if (!(strength >= 0 && strength <= 1))
            throw new ArgumentOutOfRangeException(nameof(strength), strength, $"{ClassName}.BeginAtStrength: strength must be in [0, 1].");
        int n = NumInferenceSteps;
        int initTimestep = Math.Min((int)(n * strength), n);
        int tStart = Math.Max(n - initTimestep, 0);
        int begin = tStart * Order;
        if (n - tStart < 1 || begin >= _timesteps.Length)
            throw new ArgumentOutOfRangeException(nameof(strength), strength, $"{ClassName}.BeginAtStrength: strength {strength.ToString(CultureInfo.InvariantCulture)} with {n} steps leaves no step to run (int({n} * strength) = {initTimestep}); raise the strength or the step count.");
        SetBeginIndex(begin);
        return new StrengthWindow(begin, _timesteps[begin..], n - tStart);
    }

    /// <summary>The model input for <paramref name="timestep"/>: the sample itself, or divided by sqrt(sigma^2 + 1) for sigma schedulers.</summary>
    public virtual Tensor ScaleModelInput(Tensor sample, double timestep)
    {
        RequireTimesteps(nameof(ScaleModelInput));
        return sample;
    }

    /// <summary>
    /// One reverse step from <paramref name="sample"/> (x_t) at <paramref name="timestep"/> given the model's output
    /// for it. <paramref name="noise"/> is required by the schedulers that add noise (DDPM, Euler ancestral, LCM,
    /// DDIM with eta &gt; 0, Euler with s_churn &gt; 0) and drawn exactly as often as diffusers draws.
    /// </summary>
    public SchedulerOutput Step(Tensor modelOutput, double timestep, Tensor sample, INoiseSource? noise = null)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        RequireTimesteps(nameof(Step));
        NoiseSchedule.RequireSameShape($"{ClassName}.Step", sample, modelOutput, "sample", "model_output");
        return StepCore(modelOutput, timestep, sample, noise);
    }

    /// <summary>
    /// The forward process at <paramref name="timestep"/>: <c>sqrt(alpha-bar) * original + sqrt(1 - alpha-bar) * noise</c>
    /// for alpha-based schedulers, <c>original + sigma * noise</c> for sigma schedulers (the scale their
    /// <see cref="ScaleModelInput"/> undoes). img2img passes <see cref="StrengthWindow.NoiseTimestep"/>.
    /// </summary>
    public Tensor AddNoise(Tensor original, Tensor noise, double timestep)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(noise);
        NoiseSchedule.RequireSameShape($"{ClassName}.AddNoise", original, noise, "original", "noise");
        return AddNoiseCore(original, noise, timestep);
    }

    /// <summary>
    /// The config in diffusers' field layout (this class's fields in signature order, then kept fields of others).
    /// Compare configs through it: the config records hold OtherFields and TrainedBetas by reference.
    /// </summary>
    public abstract JsonObject ToConfig();

    protected abstract (double[] Timesteps, float[]? Sigmas) ComputeTimesteps(int numInferenceSteps);

    /// <summary>Clears the per-run state (history, counters); called by <see cref="SetTimesteps"/>.</summary>
    protected abstract void ResetState();

    protected abstract SchedulerOutput StepCore(Tensor modelOutput, double timestep, Tensor sample, INoiseSource? noise);

    protected abstract Tensor AddNoiseCore(Tensor original, Tensor noise, double timestep);

    /// <summary>A new instance with this config and options, before <see cref="SetTimesteps"/>.</summary>
    protected abstract Scheduler CreateFresh();

    /// <summary>
    /// The step index for a step or input scaling at <paramref name="timestep"/> (diffusers <c>_init_step_index</c>
    /// on first use: the begin index, else the timestep's position). Checks that the caller is where the scheduler
    /// is: the timestep must be <c>Timesteps[index]</c>.
    /// </summary>
    protected int CurrentStepIndex(double timestep, string op)
    {
        _stepIndex ??= _beginIndex ?? IndexForTimestep(timestep);
        int index = _stepIndex.Value;
        if (index >= _timesteps.Length)
            throw new InvalidOperationException($"{ClassName}.{op}: all {_timesteps.Length} timesteps have been stepped; call Reset() (or SetTimesteps) to run again.");
        if (_timesteps[index] != timestep)
            throw new ArgumentException($"{ClassName}.{op}: timestep {Format(timestep)} but the scheduler is at step {index} (timestep {Format(_timesteps[index])}); pass Timesteps in order, once, or call Reset().", nameof(timestep));
        return index;
    }

    /// <summary>Moves to the next step (diffusers <c>_step_index += 1</c>).</summary>
    protected void AdvanceStepIndex() => _stepIndex = _stepIndex!.Value + 1;

    /// <summary>
    /// The position of <paramref name="timestep"/> in <see cref="Timesteps"/>: the second occurrence when it repeats
    /// (so an img2img run that starts on a repeated timestep does not skip a sigma), as diffusers'
    /// <c>index_for_timestep</c>.
    /// </summary>
    protected virtual int IndexForTimestep(double timestep)
    {
        int first = Array.IndexOf(_timesteps, timestep);
        if (first < 0)
            throw new ArgumentException($"{ClassName}: timestep {Format(timestep)} is not one of the {_timesteps.Length} scheduled timesteps ({Preview(_timesteps)}).", nameof(timestep));
        int second = Array.IndexOf(_timesteps, timestep, first + 1);
        return second >= 0 ? second : first;
    }

    /// <summary>The sigma index add_noise uses (diffusers: from the timestep when no begin index, else the current or begin step).</summary>
    protected int AddNoiseIndex(double timestep) => _beginIndex is null ? IndexForTimestep(timestep) : _stepIndex ?? _beginIndex.Value;

    /// <summary><paramref name="timestep"/> as a training timestep index; it must be an integer in [0, T).</summary>
    protected int TrainTimestep(double timestep, string op)
    {
        if (timestep != Math.Floor(timestep) || timestep < 0 || timestep >= Schedule.NumTrainTimesteps)
            throw new ArgumentOutOfRangeException(nameof(timestep), timestep, $"{ClassName}.{op}: timestep {Format(timestep)}; expected an integer training timestep in [0, {Schedule.NumTrainTimesteps}).");
        return (int)timestep;
    }

    /// <summary>One draw from <paramref name="noise"/>, which must be given; <paramref name="why"/> says why the step needs it.</summary>
    protected Tensor DrawNoise(INoiseSource? noise, Shape shape, string why)
    {
        if (noise is null)
            throw new ArgumentNullException(nameof(noise), $"{ClassName}.Step needs a noise source ({why}); pass the pipeline's generator (TorchNoiseSource) or recorded noise.");
        var drawn = noise.Randn(shape);
        if (drawn.Shape != shape)
            throw new TensorShapeException($"{ClassName}.Step", $"the noise source returned {drawn.Shape} for a request of {shape}", "noise of the requested shape");
        return drawn;
    }

    protected void RequireTimesteps(string op)
    {
        if (NumInferenceSteps == 0)
            throw new InvalidOperationException($"{ClassName}.{op}: call SetTimesteps(steps) first.");
    }

    protected static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Preview(double[] values) =>
        values.Length <= 8 ? string.Join(", ", values.Select(Format)) : string.Join(", ", values.Take(8).Select(Format)) + ", …";
}
