namespace Atelier.Training.Trainer;

/// <summary>Hyper-parameters of <see cref="AdamW"/>; the defaults are torch.optim.AdamW's.</summary>
public sealed record AdamWOptions
{
    /// <summary>β₁, the decay of the first-moment (mean) estimate.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>β₂, the decay of the second-moment estimate (CLIP uses 0.98 for stability with large batches).</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>ε added to √v̂ (CLIP uses 1e-6).</summary>
    public float Epsilon { get; init; } = 1e-8f;

    /// <summary>λ, the decoupled weight decay per unit learning rate (applied to decayed parameters only).</summary>
    public float WeightDecay { get; init; } = 0.01f;

    internal void Validate()
    {
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "AdamW: β₁ must be in [0, 1).");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "AdamW: β₂ must be in [0, 1).");
        if (!(Epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "AdamW: ε must be positive.");
        if (!(WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "AdamW: weight decay must be zero or positive.");
    }
}
