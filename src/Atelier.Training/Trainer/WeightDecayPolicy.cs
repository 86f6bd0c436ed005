using Atelier.Nn;

namespace Atelier.Training.Trainer;

/// <summary>
/// Which parameters AdamW decays. The default decays only the weight matrices of <see cref="Linear"/> and
/// <see cref="Conv2d"/> layers, as minGPT/nanoGPT and the CLIP training code do: biases, norm gains and shifts,
/// embeddings (token, positional, class) and scalars such as a temperature are not pulled towards zero.
/// </summary>
public static class WeightDecayPolicy
{
    /// <summary>The parameters of <paramref name="model"/> that the default policy decays.</summary>
    public static IReadOnlySet<Parameter> LinearAndConvWeights(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var decayed = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        Collect(model, decayed);
        return decayed;
    }

    private static void Collect(Module module, HashSet<Parameter> decayed)
    {
        if (module is Linear linear) decayed.Add(linear.Weight);
        else if (module is Conv2d conv) decayed.Add(conv.Weight);
        foreach (var (_, child) in module.Children)
            Collect(child, decayed);
    }
}
