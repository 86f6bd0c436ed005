using System.Text.Json.Nodes;
using Atelier.Diffusion.Schedulers;
using Atelier.Tensors;

namespace Atelier.Diffusion.Tests.Schedulers;

/// <summary>One 10-step run of schedulers.json "runs" with its safetensors file: config, timesteps and per-step tensors.</summary>
internal sealed class SchedulerRunFixture
{
    private readonly Dictionary<string, FixtureTensor> _tensors;

    private SchedulerRunFixture(string name, JsonObject run, Dictionary<string, FixtureTensor> tensors)
    {
        Name = name;
        Run = run;
        _tensors = tensors;
    }

    public string Name { get; }

    public JsonObject Run { get; }

    public int ModelCalls => Run["n_model_calls"]!.GetValue<int>();

    public static SchedulerRunFixture Load(string name)
    {
        var run = SchedulerFixtures.Json["runs"]![name]!.AsObject();
        return new SchedulerRunFixture(name, run, SchedulerFixtures.LoadTensors(run["file"]!.GetValue<string>()));
    }

    /// <summary>The run's scheduler, built from its stored diffusers config and step arguments, with timesteps set.</summary>
    public Scheduler CreateScheduler()
    {
        var scheduler = SchedulerRegistry.FromConfig(Run["class"]!.GetValue<string>(), Run["config"]!.AsObject());
        FixtureSchedulers.ApplyStepArguments(scheduler, Run["step_kwargs"] as JsonObject);
        scheduler.SetTimesteps(Run["num_inference_steps"]!.GetValue<int>());
        return scheduler;
    }

    public bool Has(string key) => _tensors.ContainsKey(key);

    public FixtureTensor Get(string key) =>
        _tensors.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"{Name}: the fixture has no tensor '{key}'");

    public Tensor Tensor(string key) => Get(key).ToTensor();

    public double Timestep(int step) => Get($"step{step}_t").AsDoubles[0];

    /// <summary>The noise diffusers drew (or was given) in step <paramref name="step"/>, in order.</summary>
    public RecordedNoise Noise(int step)
    {
        var tensors = new List<(string, Tensor)>();
        for (int k = 0; Has($"step{step}_noise{k}"); k++)
            tensors.Add(($"step{step}_noise{k}", Tensor($"step{step}_noise{k}")));
        if (Has($"step{step}_variance_noise"))
            tensors.Add(($"step{step}_variance_noise", Tensor($"step{step}_variance_noise")));
        return new RecordedNoise($"{Name} step {step}", tensors);
    }
}
