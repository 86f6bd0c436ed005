namespace Atelier.Nn;

/// <summary>Weights that do not fit a model: every missing, unexpected and mis-shaped tensor is named.</summary>
public sealed class WeightLoadException : Exception
{
    public WeightLoadException(string message, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
        : base(message)
    {
        Missing = missing;
        Unexpected = unexpected;
        Mismatched = mismatched;
    }

    public IReadOnlyList<string> Missing { get; }
    public IReadOnlyList<string> Unexpected { get; }
    public IReadOnlyList<string> Mismatched { get; }
}

/// <summary>Collects the problems of one strict load so they are reported together.</summary>
internal sealed class WeightLoadReport(string origin, string model)
{
    private const int ListedPerKind = 20;

    public List<string> Missing { get; } = [];
    public List<string> Unexpected { get; } = [];
    public List<string> Mismatched { get; } = [];

    public void ThrowIfAny()
    {
        if (Missing.Count + Unexpected.Count + Mismatched.Count == 0) return;
        var text = new System.Text.StringBuilder($"{origin}: the weights do not match {model}.");
        Append(text, "mis-shaped", Mismatched);
        Append(text, "missing from the file", Missing);
        Append(text, "in the file but not in the model", Unexpected);
        text.Append("\nCheck that the checkpoint is the model family and variant you asked for (e.g. SD 1.x vs 2.x, inpainting vs text-to-image).");
        throw new WeightLoadException(text.ToString(), Missing, Unexpected, Mismatched);
    }

    private static void Append(System.Text.StringBuilder text, string kind, List<string> items)
    {
        if (items.Count == 0) return;
        text.Append($"\n{items.Count} {kind}:");
        foreach (string item in items.Take(ListedPerKind)) text.Append("\n  ").Append(item);
        if (items.Count > ListedPerKind) text.Append($"\n  … and {items.Count - ListedPerKind} more");
    }
}
