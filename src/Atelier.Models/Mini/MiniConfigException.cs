namespace Atelier.Models.Mini;

/// <summary>An atelier-mini config (decoder.json, prior.json, upsampler.json) that cannot describe a model.</summary>
public sealed class MiniConfigException(string origin, string field, string expected)
    : Exception($"{origin}: config field '{field}' is invalid; expected {expected}.")
{
    public string Origin { get; } = origin;
    public string Field { get; } = field;
}
