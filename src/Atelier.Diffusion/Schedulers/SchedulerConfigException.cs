namespace Atelier.Diffusion.Schedulers;

/// <summary>
/// A scheduler config field has a value of the wrong type or outside the accepted set. The message names the
/// scheduler class, the field, the value found and what was expected, e.g.
/// <c>DDIMScheduler config: field 'beta_schedule' = "cosine"; expected one of "linear", "scaled_linear", "squaredcos_cap_v2"</c>.
/// </summary>
public sealed class SchedulerConfigException : ArgumentException
{
    public SchedulerConfigException(string className, string field, string problem)
        : base($"{className} config: field '{field}' {problem}")
    {
        ClassName = className;
        Field = field;
    }

    public string ClassName { get; }

    public string Field { get; }
}
